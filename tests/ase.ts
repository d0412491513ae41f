// Reading structure files with an independent reader: ASE (Debian's python3-ase), for the structure tests and the e2e loop.
import { spawnSync } from 'node:child_process';

const PYTHON = '/usr/bin/python3';

export interface AseReading {
  /** ASE's reduced (empirical) formula in Hill order. */
  formula: string;
  /** Cell edge lengths (angstrom). */
  cell: number[];
  natoms: number;
  /** Shortest periodic interatomic distance (angstrom). */
  dmin: number;
}

/** Reads files with ASE: the reduced formula, cell lengths, atom count and shortest periodic distance of each. */
export function readWithAse(files: readonly string[]): AseReading[] {
  const check = spawnSync(PYTHON, ['-c', 'import ase'], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`these tests read the files with ASE: install Debian's python3-ase (sudo apt-get install python3-ase; .ci/run does). ${check.stderr.trim().split('\n').at(-1)}`);
  const script = `
import json, sys
from ase.io import read
out = []
for f in sys.argv[1:]:
    a = read(f)
    d = a.get_all_distances(mic=True)
    n = len(a)
    dmin = min(d[i][j] for i in range(n) for j in range(n) if i != j) if n > 1 else 0.0
    out.append({"formula": a.get_chemical_formula(mode="hill", empirical=True), "cell": [float(x) for x in a.cell.lengths()], "natoms": n, "dmin": float(dmin)})
print(json.dumps(out))
`;
  const r = spawnSync(PYTHON, ['-c', script, ...files], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ASE could not read the files: ${r.stderr}`);
  return JSON.parse(r.stdout) as AseReading[];
}
