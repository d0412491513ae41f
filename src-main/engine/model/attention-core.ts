/**
 * The core of multi-head self-attention for inference (softmax(q k^T / sqrt(dk) + mask) v, every
 * head), in plain loops over typed arrays. On wasm the batched matMuls this needs ([B*H, T, dk]
 * operands) take tfjs's naive loop, and splitting and merging heads costs four transposes; for the
 * short token sequences of a composition (T <= 7) these loops are several times faster. Training
 * keeps the tensor version (it needs gradients).
 */

/**
 * q, k, v: [B*T, H*dk] row-major; tokenMask: [B*T], 1 for real tokens. Returns the merged context
 * [B*T, H*dk]. Masked keys get weight exactly 0, as with the -1e9 bias of the tensor version.
 */
export function attentionContext(q: Float32Array, k: Float32Array, v: Float32Array, tokenMask: Float32Array, B: number, T: number, H: number, dk: number): Float32Array {
  const d = H * dk;
  const scale = 1 / Math.sqrt(dk);
  const out = new Float32Array(B * T * d);
  const weights = new Float64Array(T);
  for (let b = 0; b < B; b += 1) {
    const base = b * T;
    for (let h = 0; h < H; h += 1) {
      const off = h * dk;
      for (let i = 0; i < T; i += 1) {
        const qi = (base + i) * d + off;
        let max = Number.NEGATIVE_INFINITY;
        for (let j = 0; j < T; j += 1) {
          if (tokenMask[base + j] === 0) {
            weights[j] = Number.NEGATIVE_INFINITY;
            continue;
          }
          const kj = (base + j) * d + off;
          let s = 0;
          for (let c = 0; c < dk; c += 1) s += q[qi + c]! * k[kj + c]!;
          s *= scale;
          weights[j] = s;
          if (s > max) max = s;
        }
        let sum = 0;
        for (let j = 0; j < T; j += 1) {
          const w = weights[j] === Number.NEGATIVE_INFINITY ? 0 : Math.exp(weights[j]! - max);
          weights[j] = w;
          sum += w;
        }
        for (let j = 0; j < T; j += 1) {
          const w = weights[j]! / sum;
          if (w === 0) continue;
          const vj = (base + j) * d + off;
          for (let c = 0; c < dk; c += 1) out[qi + c] = out[qi + c]! + w * v[vj + c]!;
        }
      }
    }
  }
  return out;
}
