/**
 * A small seedable generator (xoshiro128**, Blackman & Vigna 2018) whose whole state is a plain
 * object, so every draw depends only on the arguments. Streams are derived from a run seed and a
 * list of integer keys (fund, window, chain) by hashing, so adding a stream never shifts another.
 */
export interface RngState {
  s0: number;
  s1: number;
  s2: number;
  s3: number;
  /** Cached second Box-Muller normal, or NaN. */
  spare: number;
}

function mix32(h: number): number {
  // murmur3 fmix32
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Creates a generator for `seed` and optional stream keys (non-negative integers). */
export function createRng(seed: number, ...keys: number[]): RngState {
  let h = mix32((seed >>> 0) ^ 0x9e3779b9) ^ mix32(Math.floor(seed / 4294967296) + 0x7f4a7c15);
  for (const k of keys) h = mix32(h ^ mix32((k >>> 0) + 0x632be5ab));
  const s: RngState = { s0: 0, s1: 0, s2: 0, s3: 0, spare: Number.NaN };
  let x = h;
  const words = [0, 0, 0, 0];
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) >>> 0;
    words[i] = mix32(x ^ (i * 0x27d4eb2d));
  }
  if ((words[0] | words[1] | words[2] | words[3]) === 0) words[0] = 1;
  s.s0 = words[0];
  s.s1 = words[1];
  s.s2 = words[2];
  s.s3 = words[3];
  return s;
}

/** Next 32-bit unsigned integer. */
export function nextUint32(s: RngState): number {
  const result = Math.imul(rotl(Math.imul(s.s1, 5), 7), 9) >>> 0;
  const t = s.s1 << 9;
  s.s2 ^= s.s0;
  s.s3 ^= s.s1;
  s.s1 ^= s.s2;
  s.s0 ^= s.s3;
  s.s2 ^= t;
  s.s3 = rotl(s.s3, 11);
  s.s0 >>>= 0;
  s.s1 >>>= 0;
  s.s2 >>>= 0;
  s.s3 >>>= 0;
  return result;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Uniform on the open interval (0, 1) with 53 random bits. */
export function uniform(s: RngState): number {
  const a = nextUint32(s) >>> 5;
  const b = nextUint32(s) >>> 6;
  return (a * 67108864 + b + 0.5) / 9007199254740992;
}

/** Standard normal (Box-Muller, the spare value cached in the state). */
export function normal(s: RngState): number {
  if (!Number.isNaN(s.spare)) {
    const v = s.spare;
    s.spare = Number.NaN;
    return v;
  }
  const u1 = uniform(s);
  const u2 = uniform(s);
  const r = Math.sqrt(-2 * Math.log(u1));
  s.spare = r * Math.sin(2 * Math.PI * u2);
  return r * Math.cos(2 * Math.PI * u2);
}

/** Fills `out` with standard normals and returns it. */
export function fillNormal(s: RngState, out: Float64Array): Float64Array {
  for (let i = 0; i < out.length; i++) out[i] = normal(s);
  return out;
}
