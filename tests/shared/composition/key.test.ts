import { describe, expect, it } from 'vitest';
import { compositionKey } from '../../../shared/composition/key.js';
import { parseFormulaOrThrow } from '../../../shared/composition/parse.js';

const key = (f: string): string => compositionKey(parseFormulaOrThrow(f));

describe('compositionKey', () => {
  it('is shared by every way of writing one reduced composition', () => {
    expect(key('K4Mn4O8')).toBe(key('KMnO2'));
    expect(key('Ti1Ba1O3')).toBe(key('BaTiO3'));
    expect(key('Cs2Pb2I6')).toBe(key('CsPbI3'));
  });

  it('tells different compositions apart', () => {
    expect(key('BaTiO3')).not.toBe(key('BaTiO2'));
    expect(key('CsPbI3')).not.toBe(key('CsPbBr3'));
    expect(key('Ba2TiO4')).not.toBe(key('BaTiO3'));
  });
});
