/**
 * Small seedable generator whose state is a plain object: xoshiro128** (Blackman & Vigna 2018)
 * seeded through splitmix32. One independent stream per (seed, stream index), so adding a chain
 * never changes another chain's draws.
 */
export interface RngState {
  s0: number;
  s1: number;
  s2: number;
  s3: number;
  /** Spare standard normal from the polar method, valid when `hasSpare`. */
  spare: number;
  hasSpare: boolean;
}

/** splitmix32 step (finaliser of MurmurHash3 with a Weyl sequence); returns [next, output]. */
function mix32(x: number): number {
  let z = x | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Creates the generator for stream `stream` of run seed `seed`. Both are integers (seed may use
 * up to 53 bits); different (seed, stream) pairs give statistically independent streams.
 */
export function createRng(seed: number, stream = 0): RngState {
  if (!Number.isFinite(seed) || !Number.isInteger(seed)) {
    throw new RangeError(`seed must be an integer, got ${seed}`);
  }
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  let w = mix32(lo ^ mix32(hi + 0x9e3779b9) ^ mix32(Math.imul(stream + 1, 0x632be5ab)));
  const next = (): number => {
    w = (w + 0x9e3779b9) | 0;
    return mix32(w ^ mix32(stream ^ 0x5bd1e995));
  };
  const s: RngState = { s0: next(), s1: next(), s2: next(), s3: next(), spare: 0, hasSpare: false };
  if ((s.s0 | s.s1 | s.s2 | s.s3) === 0) s.s0 = 1;
  return s;
}

/** Next 32-bit unsigned output of xoshiro128**. */
export function nextUint32(s: RngState): number {
  const result = Math.imul(rotl(Math.imul(s.s1, 5), 7), 9) >>> 0;
  const t = s.s1 << 9;
  s.s2 ^= s.s0;
  s.s3 ^= s.s1;
  s.s1 ^= s.s2;
  s.s0 ^= s.s3;
  s.s2 ^= t;
  s.s3 = rotl(s.s3, 11);
  return result;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Uniform double in [0, 1) with 53 random bits. */
export function uniform(s: RngState): number {
  const a = nextUint32(s) >>> 5; // 27 bits
  const b = nextUint32(s) >>> 6; // 26 bits
  return (a * 67108864 + b) / 9007199254740992;
}

/** Standard normal draw (Marsaglia polar method; the second value is kept in the state). */
export function normal(s: RngState): number {
  if (s.hasSpare) {
    s.hasSpare = false;
    return s.spare;
  }
  let u = 0;
  let v = 0;
  let r = 0;
  do {
    u = 2 * uniform(s) - 1;
    v = 2 * uniform(s) - 1;
    r = u * u + v * v;
  } while (r >= 1 || r === 0);
  const f = Math.sqrt((-2 * Math.log(r)) / r);
  s.spare = v * f;
  s.hasSpare = true;
  return u * f;
}
