/**
 * Saving plots as files a scientist can put in a paper: SVG plots as standalone SVG (vector, with the
 * namespace and fonts inlined so other programs read them), canvas plots as PNG at device resolution.
 */

/** Starts a download of `blob` named `fileName` (a browser download in the page, Electron's in the app). */
export function downloadBlob(blob: Blob, fileName: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/** A standalone SVG document of the chart: xmlns, a white background and the page's font set on the root. */
export function svgDocument(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('version', '1.1');
  copy.setAttribute('font-family', 'Helvetica, Arial, sans-serif');
  const width = svg.getAttribute('width') ?? String(svg.clientWidth);
  const height = svg.getAttribute('height') ?? String(svg.clientHeight);
  if (!copy.getAttribute('viewBox')) copy.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const background = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  background.setAttribute('width', '100%');
  background.setAttribute('height', '100%');
  background.setAttribute('fill', 'white');
  copy.insertBefore(background, copy.firstChild);
  // Svelte's scoped class names mean nothing outside the page
  for (const el of copy.querySelectorAll('[class]')) el.removeAttribute('class');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}\n`;
}

export function saveSvg(svg: SVGSVGElement | undefined, fileName: string): void {
  if (svg) downloadBlob(new Blob([svgDocument(svg)], { type: 'image/svg+xml' }), fileName);
}

export function savePng(canvas: HTMLCanvasElement | undefined, fileName: string): void {
  canvas?.toBlob((blob) => {
    if (blob) downloadBlob(blob, fileName);
  });
}
