/**
 * Named float32 arrays in one binary file: a little-endian uint32 header length, a JSON header
 * listing {name, shape, offset, length} and then the raw data. Used for model weights and
 * training checkpoints; written to a temporary file and renamed, so a killed process never leaves
 * half a file behind.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface TensorEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

interface HeaderEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

export function writeTensorFile(file: string, entries: readonly TensorEntry[]): void {
  let offset = 0;
  const header: HeaderEntry[] = entries.map((e) => {
    const h = { name: e.name, shape: [...e.shape], offset, length: e.values.length };
    offset += e.values.length;
    return h;
  });
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (4 - ((4 + headerBytes.length) % 4)) % 4; // keep the float data 4-byte aligned
  const out = Buffer.alloc(4 + headerBytes.length + pad + offset * 4);
  out.writeUInt32LE(headerBytes.length + pad, 0);
  headerBytes.copy(out, 4);
  out.fill(0x20, 4 + headerBytes.length, 4 + headerBytes.length + pad);
  const data = new Float32Array(out.buffer, out.byteOffset + 4 + headerBytes.length + pad, offset);
  entries.forEach((e, i) => data.set(e.values, header[i]!.offset));
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, out);
  renameSync(tmp, file);
}

export function readTensorFile(file: string): TensorEntry[] {
  const buf = readFileSync(file);
  if (buf.length < 4) throw new Error(`${file}: not a tensor file (too short)`);
  const headerLength = buf.readUInt32LE(0);
  let header: HeaderEntry[];
  try {
    header = JSON.parse(buf.subarray(4, 4 + headerLength).toString('utf8')) as HeaderEntry[];
  } catch {
    throw new Error(`${file}: not a tensor file (unreadable header)`);
  }
  const start = 4 + headerLength;
  const total = (buf.length - start) / 4;
  // copy into an aligned buffer: Buffer's pooled memory may not be 4-byte aligned
  const data = new Float32Array(total);
  new Uint8Array(data.buffer).set(buf.subarray(start));
  return header.map((h) => {
    if (h.offset + h.length > total) throw new Error(`${file}: entry ${h.name} runs past the end of the file`);
    return { name: h.name, shape: h.shape, values: data.slice(h.offset, h.offset + h.length) };
  });
}

export function toMap(entries: readonly TensorEntry[]): Map<string, Float32Array> {
  return new Map(entries.map((e) => [e.name, e.values]));
}
