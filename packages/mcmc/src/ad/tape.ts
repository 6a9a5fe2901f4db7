/**
 * A small reverse-mode automatic-differentiation tape over typed arrays (a Wengert list that stores
 * each node's value, up to two parents and the local partial derivative to each; Griewank &
 * Walther 2008, ch. 3). Nodes are plain integers. The tape is reused: `reset()` keeps the buffers,
 * so evaluating a model allocates only when the tape first grows.
 *
 * Meant for prototyping a model and for checking hand-written adjoints; a hand-written adjoint is
 * usually several times faster on long recursions.
 */
export class Tape {
  /** Number of nodes recorded since the last reset. */
  n = 0;
  val: Float64Array;
  adj: Float64Array;
  private pa: Int32Array;
  private pb: Int32Array;
  private da: Float64Array;
  private db: Float64Array;

  constructor(capacity = 1024) {
    this.val = new Float64Array(capacity);
    this.adj = new Float64Array(capacity);
    this.pa = new Int32Array(capacity);
    this.pb = new Int32Array(capacity);
    this.da = new Float64Array(capacity);
    this.db = new Float64Array(capacity);
  }

  /** Forgets all nodes, keeping the buffers. */
  reset(): void {
    this.n = 0;
  }

  private grow(): void {
    const cap = this.val.length * 2;
    const f = (a: Float64Array): Float64Array => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    const g = (a: Int32Array): Int32Array => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.val = f(this.val);
    this.adj = new Float64Array(cap);
    this.da = f(this.da);
    this.db = f(this.db);
    this.pa = g(this.pa);
    this.pb = g(this.pb);
  }

  /** Records a node; returns its index. */
  private push(v: number, a: number, da: number, b: number, db: number): number {
    if (this.n === this.val.length) this.grow();
    const i = this.n++;
    this.val[i] = v;
    this.pa[i] = a;
    this.da[i] = da;
    this.pb[i] = b;
    this.db[i] = db;
    return i;
  }

  /** A leaf: an input variable or a constant. */
  variable(v: number): number {
    return this.push(v, -1, 0, -1, 0);
  }

  /** Records `n` inputs from `x` as consecutive leaves; returns the first index. */
  inputs(x: Float64Array): number {
    const first = this.n;
    for (let i = 0; i < x.length; i++) this.push(x[i], -1, 0, -1, 0);
    return first;
  }

  value(i: number): number {
    return this.val[i];
  }

  add(a: number, b: number): number {
    return this.push(this.val[a] + this.val[b], a, 1, b, 1);
  }
  sub(a: number, b: number): number {
    return this.push(this.val[a] - this.val[b], a, 1, b, -1);
  }
  mul(a: number, b: number): number {
    const va = this.val[a];
    const vb = this.val[b];
    return this.push(va * vb, a, vb, b, va);
  }
  div(a: number, b: number): number {
    const vb = this.val[b];
    const r = this.val[a] / vb;
    return this.push(r, a, 1 / vb, b, -r / vb);
  }
  /** a + c for a constant c. */
  addConst(a: number, c: number): number {
    return this.push(this.val[a] + c, a, 1, -1, 0);
  }
  /** a * c for a constant c. */
  mulConst(a: number, c: number): number {
    return this.push(this.val[a] * c, a, c, -1, 0);
  }
  /** c * a + d * b for constants c, d (one node instead of three). */
  linear2(a: number, c: number, b: number, d: number): number {
    return this.push(c * this.val[a] + d * this.val[b], a, c, b, d);
  }
  neg(a: number): number {
    return this.push(-this.val[a], a, -1, -1, 0);
  }
  square(a: number): number {
    const v = this.val[a];
    return this.push(v * v, a, 2 * v, -1, 0);
  }
  sqrt(a: number): number {
    const r = Math.sqrt(this.val[a]);
    return this.push(r, a, 0.5 / r, -1, 0);
  }
  exp(a: number): number {
    const r = Math.exp(this.val[a]);
    return this.push(r, a, r, -1, 0);
  }
  log(a: number): number {
    const v = this.val[a];
    return this.push(Math.log(v), a, 1 / v, -1, 0);
  }
  log1p(a: number): number {
    const v = this.val[a];
    return this.push(Math.log1p(v), a, 1 / (1 + v), -1, 0);
  }
  /** a^c for a constant exponent c. */
  powConst(a: number, c: number): number {
    const v = this.val[a];
    return this.push(v ** c, a, c * v ** (c - 1), -1, 0);
  }
  /** Logistic function 1 / (1 + e^-a). */
  invLogit(a: number): number {
    const r = invLogit(this.val[a]);
    return this.push(r, a, r * (1 - r), -1, 0);
  }
  /** log(1 + e^a), computed without overflow. */
  log1pExp(a: number): number {
    const v = this.val[a];
    return this.push(log1pExp(v), a, invLogit(v), -1, 0);
  }
  /** log(e^a + e^b), computed without overflow. */
  logSumExp(a: number, b: number): number {
    const va = this.val[a];
    const vb = this.val[b];
    const m = Math.max(va, vb);
    if (m === Number.NEGATIVE_INFINITY) return this.push(m, a, 0.5, b, 0.5);
    const ea = Math.exp(va - m);
    const eb = Math.exp(vb - m);
    const s = ea + eb;
    return this.push(m + Math.log(s), a, ea / s, b, eb / s);
  }
  /** Sum of the nodes `first, first+1, ..., first+count-1`. */
  sumRange(first: number, count: number): number {
    if (count === 0) return this.variable(0);
    let acc = first;
    for (let i = 1; i < count; i++) acc = this.add(acc, first + i);
    return acc;
  }

  /**
   * Back-propagates from node `out` and writes d out / d node for the `count` consecutive nodes
   * starting at `first` into `grad`. Returns the value of `out`.
   */
  gradient(out: number, grad: Float64Array, first: number, count: number): number {
    const adj = this.adj;
    const pa = this.pa;
    const pb = this.pb;
    const da = this.da;
    const db = this.db;
    adj.fill(0, 0, out + 1);
    adj[out] = 1;
    for (let i = out; i >= 0; i--) {
      const g = adj[i];
      if (g === 0) continue;
      const a = pa[i];
      if (a >= 0) adj[a] += g * da[i];
      const b = pb[i];
      if (b >= 0) adj[b] += g * db[i];
    }
    for (let k = 0; k < count; k++) grad[k] = adj[first + k];
    return this.val[out];
  }
}

/** 1 / (1 + e^-x), stable for large |x|. */
export function invLogit(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + e^x), stable for large |x|. */
export function log1pExp(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}
