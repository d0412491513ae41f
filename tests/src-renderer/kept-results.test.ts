import { describe, expect, it } from 'vitest';
import { readKeptResults } from '../../src-renderer/lib/kept-results.js';

describe('what a reload keeps of the Results view', () => {
  it('reads back every field it wrote', () => {
    const kept = {
      screenId: 3,
      gapText: '1.2:1.8',
      stableMin: 0.5,
      tText: '0.9:1.0',
      tauMax: '4.18',
      sigmaMax: '0.3',
      includeText: 'Sn',
      excludeText: 'Pb',
      novelOnly: true,
      inDomainOnly: true,
      gapKind: 'expt',
      eHullMax: '50',
      targetText: '1.0:1.6',
      rank: 'pareto',
      sort: { column: 'e_hull', descending: false },
      batchSize: 24,
    };
    expect(readKeptResults(JSON.stringify(kept))).toEqual(kept);
  });

  it('keeps the valid fields and drops each bad one alone', () => {
    const read = readKeptResults(JSON.stringify({ gapText: '1:2', stableMin: 7, rank: 'best', novelOnly: 'yes', sort: { column: 'weight; DROP TABLE', descending: true }, batchSize: 0, screenId: -1, inDomainOnly: false }));
    expect(read).toEqual({ gapText: '1:2', inDomainOnly: false });
  });

  it('reads nothing from nothing, from text that is not JSON, or from JSON that is not an object', () => {
    for (const stored of [null, '', '{', 'null', '[1,2]', '"1.2:1.8"', '42']) expect(readKeptResults(stored)).toEqual({});
  });

  it('keeps no screen as null (a tab that had none) and refuses over-long text', () => {
    expect(readKeptResults(JSON.stringify({ screenId: null, gapText: 'x'.repeat(201) }))).toEqual({ screenId: null });
  });
});
