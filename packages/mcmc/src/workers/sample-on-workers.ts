import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { ChainConfig, ChainOutput, Progress } from "../chain.js";
import { InitError } from "../init.js";
import { runChains } from "../run-chains.js";
import {
  collectResult,
  resolveOptions,
  type SampleResult,
  type SamplerOptions,
} from "../sample-options.js";
import type { FromWorker, ToWorker, WorkerBoot } from "./protocol.js";

// Boot script, evaluated in each worker: registers tsx when TypeScript must be loaded (a worker
// does not inherit the parent's loader hooks, and --import in execArgv is not honoured for the
// entry), then imports the real entry module.
const BOOT = `
const { workerData } = require("node:worker_threads");
(async () => {
  if (workerData.tsx) { const { register } = await import(workerData.tsx); register(); }
  await import(workerData.entry);
})().catch((e) => { setImmediate(() => { throw e; }); });
`;

/** URL of tsx's ESM API (the "import" branch of its exports; require.resolve would give the CJS one). */
function resolveTsxEsmApi(): string {
  const req = createRequire(import.meta.url);
  let pkgPath: string;
  try {
    pkgPath = req.resolve("tsx/package.json");
  } catch {
    throw new Error("loading a TypeScript model module on worker threads needs the tsx package");
  }
  const pkg = req(pkgPath) as { exports: Record<string, { import: { default: string } }> };
  return new URL(pkg.exports["./esm/api"].import.default, pathToFileURL(pkgPath)).href;
}

function toUrl(m: string): string {
  if (/^(file|data|node):/.test(m)) return m;
  return pathToFileURL(isAbsolute(m) ? m : resolve(m)).href;
}

/** Options of {@link sampleOnWorkers}. */
export interface WorkerSampleOptions extends SamplerOptions {
  /** Model module (file URL or path); it exports `createPotential(data) => Potential`. */
  module: string;
  /** JSON-cloneable data passed to createPotential in every worker. */
  data: unknown;
  /** Worker threads (default: min(chains, available cores)). */
  threads?: number;
  /** Dimension check: when given it must equal the model's. */
  dim?: number;
}

/**
 * Runs chains in parallel on worker threads. Each worker loads the model module and builds its
 * potential from `data` (a closure cannot cross threads). Chain c always uses the RNG stream
 * (seed, c), so the draws are the same whatever the number of threads, and equal to `sample`'s
 * with the same potential.
 */
export async function sampleOnWorkers(opts: WorkerSampleOptions): Promise<SampleResult> {
  const moduleUrl = toUrl(opts.module);
  const selfIsTs = import.meta.url.endsWith(".ts");
  const entry = new URL(selfIsTs ? "./worker-entry.ts" : "./worker-entry.js", import.meta.url).href;
  const needTsx = selfIsTs || /\.[mc]?tsx?$/.test(moduleUrl);
  const tsx = needTsx ? resolveTsxEsmApi() : null;
  const boot: WorkerBoot = { entry, module: moduleUrl, data: opts.data, tsx };

  const pool = new WorkerPool(boot, opts.onProgress);
  try {
    const dim = await pool.start(
      Math.max(1, opts.threads ?? Math.min(opts.chains ?? 4, availableParallelism())),
      opts.dim,
    );
    const config = resolveOptions(dim, opts);
    const { outs, warnings } = await runChains(dim, config, (cfg) => pool.submit(cfg));
    const res = collectResult(dim, config, outs);
    res.warnings.push(...warnings);
    return res;
  } finally {
    await pool.close();
  }
}

interface Job {
  id: number;
  cfg: ChainConfig;
  resolve: (o: ChainOutput) => void;
  reject: (e: Error) => void;
}

/** A fixed set of workers taking chain jobs from a queue. */
class WorkerPool {
  private workers: Worker[] = [];
  private idle: Worker[] = [];
  private queue: Job[] = [];
  private running = new Map<Worker, Job>();
  private nextId = 0;
  private failure: Error | null = null;

  constructor(
    private readonly boot: WorkerBoot,
    private readonly onProgress?: (p: Progress) => void,
  ) {}

  /** Starts `n` workers and waits until each has loaded the model; returns the model's dim. */
  async start(n: number, expectedDim?: number): Promise<number> {
    const ready: Promise<number>[] = [];
    for (let i = 0; i < n; i++) {
      const w = new Worker(BOOT, { eval: true, workerData: this.boot });
      this.workers.push(w);
      ready.push(
        new Promise<number>((res, rej) => {
          w.on("message", (m: FromWorker) => {
            if (m.type === "ready") {
              this.idle.push(w);
              res(m.dim);
              this.pump();
            } else this.onMessage(w, m);
          });
          w.on("error", (e) => {
            this.fail(e);
            rej(e);
          });
          w.on("exit", (code) => {
            if (code !== 0) this.fail(new Error(`worker exited with code ${code}`));
          });
        }),
      );
    }
    const dim = (await Promise.all(ready))[0];
    if (expectedDim !== undefined && expectedDim !== dim)
      throw new RangeError(`dim ${expectedDim} differs from the model's ${dim}`);
    return dim;
  }

  submit(cfg: ChainConfig): Promise<ChainOutput> {
    return new Promise<ChainOutput>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.queue.push({ id: this.nextId++, cfg, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.shift() as Worker;
      const job = this.queue.shift() as Job;
      this.running.set(w, job);
      const msg: ToWorker = { type: "run", job: job.id, cfg: job.cfg, progress: !!this.onProgress };
      w.postMessage(msg);
    }
  }

  private onMessage(w: Worker, m: FromWorker): void {
    const job = this.running.get(w);
    if (!job) return;
    if (m.type === "progress") {
      this.onProgress?.(m.p);
      return;
    }
    this.running.delete(w);
    this.idle.push(w);
    if (m.type === "done") job.resolve(m.out);
    else if (m.type === "error") {
      const e =
        m.name === "InitError"
          ? new InitError(m.message, m.chain ?? job.cfg.chain, m.attempts ?? 0)
          : new Error(m.message);
      if (m.name === "RangeError") job.reject(new RangeError(m.message));
      else job.reject(e);
    }
    this.pump();
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    for (const job of this.running.values()) job.reject(e);
    for (const job of this.queue) job.reject(e);
    this.running.clear();
    this.queue = [];
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
