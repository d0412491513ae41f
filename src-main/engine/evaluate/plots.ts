/**
 * Evaluation plots as standalone SVG text: learning curves, a parity plot that keeps the 0-eV
 * region visible (half of the seed rows are metals), and a confusion matrix. d3-scale computes the
 * scales and ticks; the markup is written here so the reports need no browser to render.
 */
import { extent, max } from 'd3-array';
import { scaleLinear, scaleSequential } from 'd3-scale';
import type { ClassificationMetrics } from './metrics.js';

const W = 460;
const H = 360;
const M = { top: 30, right: 20, bottom: 46, left: 56 };
const FONT = 'font-family="sans-serif" font-size="11"';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function frame(title: string, body: string, width = W, height = H): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>
<rect width="100%" height="100%" fill="white"/>
<text x="${width / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">${esc(title)}</text>
${body}
</svg>
`;
}

function axes(x: (v: number) => number, y: (v: number) => number, xTicks: number[], yTicks: number[], xLabel: string, yLabel: string): string {
  const x0 = M.left;
  const y0 = H - M.bottom;
  const parts = [`<line x1="${x0}" y1="${y0}" x2="${W - M.right}" y2="${y0}" stroke="black"/>`, `<line x1="${x0}" y1="${M.top}" x2="${x0}" y2="${y0}" stroke="black"/>`];
  for (const t of xTicks) parts.push(`<line x1="${x(t)}" y1="${y0}" x2="${x(t)}" y2="${y0 + 4}" stroke="black"/><text x="${x(t)}" y="${y0 + 16}" text-anchor="middle">${+t.toFixed(3)}</text>`);
  for (const t of yTicks) parts.push(`<line x1="${x0 - 4}" y1="${y(t)}" x2="${x0}" y2="${y(t)}" stroke="black"/><text x="${x0 - 6}" y="${y(t) + 4}" text-anchor="end">${+t.toFixed(3)}</text>`);
  parts.push(`<text x="${(x0 + W - M.right) / 2}" y="${H - 10}" text-anchor="middle">${esc(xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${(M.top + y0) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  return parts.join('\n');
}

export interface CurveSeries {
  readonly label: string;
  readonly values: readonly number[];
  readonly color: string;
}

/** Line plot of series over steps 0, 1, ... (per-epoch validation MAE of each member; hits per campaign round). */
export function lineChartSvg(title: string, series: readonly CurveSeries[], yLabel: string, xLabel = 'epoch', legendLeft = false): string {
  const n = max(series, (s) => s.values.length) ?? 1;
  const [lo, hi] = extent(series.flatMap((s) => s.values)) as [number | undefined, number | undefined];
  const x = scaleLinear().domain([0, Math.max(1, n - 1)]).range([M.left, W - M.right]);
  const y = scaleLinear().domain([lo ?? 0, hi ?? 1]).nice().range([H - M.bottom, M.top]);
  const lines = series.map((s) => {
    const d = s.values.map((v, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join('');
    return `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`;
  });
  const lx = legendLeft ? M.left + 10 : W - M.right - 120;
  const legend = series.map((s, i) => `<rect x="${lx}" y="${M.top + 4 + i * 14}" width="10" height="3" fill="${s.color}"/><text x="${lx + 14}" y="${M.top + 9 + i * 14}">${esc(s.label)}</text>`);
  return frame(title, [axes(x, y, x.ticks(6), y.ticks(6), xLabel, yLabel), ...lines, ...legend].join('\n'));
}

/**
 * Predicted vs true values with the identity line. The axes start a little below 0 so the many
 * rows at exactly 0 eV stay visible; an inset histogram shows the predictions for rows whose true
 * value is 0.
 */
export function paritySvg(title: string, truth: readonly number[], predicted: readonly number[], unit: string): string {
  const hi = Math.max(max(truth) ?? 1, max(predicted) ?? 1);
  const pad = hi * 0.04;
  const x = scaleLinear().domain([-pad, hi + pad]).range([M.left, W - M.right]);
  const y = scaleLinear().domain([-pad, hi + pad]).range([H - M.bottom, M.top]);
  const points = truth.map((t, i) => `<circle cx="${x(t).toFixed(1)}" cy="${y(predicted[i]!).toFixed(1)}" r="2" fill="steelblue" fill-opacity="0.45"/>`);
  const identity = `<line x1="${x(0)}" y1="${y(0)}" x2="${x(hi)}" y2="${y(hi)}" stroke="gray" stroke-dasharray="4 3"/>`;
  // inset: predictions where truth == 0
  const zeros = predicted.filter((_, i) => truth[i] === 0);
  let inset = '';
  if (zeros.length > 0) {
    const bins = 12;
    const top = Math.max(0.5, max(zeros) ?? 1);
    const counts = new Array<number>(bins).fill(0);
    for (const z of zeros) counts[Math.min(bins - 1, Math.floor((Math.max(0, z) / top) * bins))]! += 1;
    const ix = scaleLinear().domain([0, top]).range([W - M.right - 150, W - M.right - 10]);
    const iy = scaleLinear().domain([0, max(counts) ?? 1]).range([M.top + 100, M.top + 30]);
    const bars = counts.map((c, b) => `<rect x="${ix((b * top) / bins).toFixed(1)}" y="${iy(c).toFixed(1)}" width="${(ix(top / bins) - ix(0) - 1).toFixed(1)}" height="${(iy(0) - iy(c)).toFixed(1)}" fill="darkorange"/>`);
    inset = [
      `<rect x="${W - M.right - 160}" y="${M.top + 10}" width="160" height="118" fill="white" stroke="#ccc"/>`,
      `<text x="${W - M.right - 80}" y="${M.top + 24}" text-anchor="middle">predicted, true = 0 (n=${zeros.length})</text>`,
      ...bars,
      `<text x="${ix(0)}" y="${M.top + 114}" text-anchor="middle">0</text><text x="${ix(top)}" y="${M.top + 114}" text-anchor="middle">${+top.toFixed(2)}</text>`,
    ].join('\n');
  }
  return frame(title, [axes(x, y, x.ticks(6), y.ticks(6), `true (${unit})`, `predicted (${unit})`), identity, ...points, inset].join('\n'));
}

/** 2x2 confusion matrix with counts, shaded by share of the true class. */
export function confusionSvg(title: string, m: ClassificationMetrics, negative = 'not stable', positive = 'stable'): string {
  const cells: [number, number, number, number][] = [
    [0, 0, m.tn, m.tn + m.fp],
    [0, 1, m.fp, m.tn + m.fp],
    [1, 0, m.fn, m.fn + m.tp],
    [1, 1, m.tp, m.fn + m.tp],
  ];
  const color = scaleSequential((t: number) => `rgb(${Math.round(255 - 200 * t)},${Math.round(255 - 130 * t)},255)`).domain([0, 1]);
  const size = 110;
  const x0 = 150;
  const y0 = 60;
  const body = cells.map(([r, c, n, rowTotal]) => {
    const share = rowTotal > 0 ? n / rowTotal : 0;
    return `<rect x="${x0 + c * size}" y="${y0 + r * size}" width="${size}" height="${size}" fill="${color(share)}" stroke="white"/>
<text x="${x0 + c * size + size / 2}" y="${y0 + r * size + size / 2}" text-anchor="middle" font-size="16">${n}</text>
<text x="${x0 + c * size + size / 2}" y="${y0 + r * size + size / 2 + 18}" text-anchor="middle">${(share * 100).toFixed(0)}%</text>`;
  });
  const labels = [
    `<text x="${x0 + size / 2}" y="${y0 - 8}" text-anchor="middle">pred. ${esc(negative)}</text>`,
    `<text x="${x0 + size * 1.5}" y="${y0 - 8}" text-anchor="middle">pred. ${esc(positive)}</text>`,
    `<text x="${x0 - 8}" y="${y0 + size / 2}" text-anchor="end">true ${esc(negative)}</text>`,
    `<text x="${x0 - 8}" y="${y0 + size * 1.5}" text-anchor="end">true ${esc(positive)}</text>`,
    `<text x="${x0 + size}" y="${y0 + 2 * size + 24}" text-anchor="middle">threshold ${m.threshold.toFixed(3)}; F1(${esc(positive)}) ${m.positive.f1.toFixed(3)}; MCC ${m.mcc.toFixed(3)}</text>`,
  ];
  return frame(title, [...body, ...labels].join('\n'), 420, 320);
}
