import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { FitInput, FitOutcome } from "./fit-task.js";
import type { FromThread } from "./thread-protocol.js";

// Evaluated in each thread: registers tsx when the sampler runs from TypeScript sources (a
// worker does not inherit the parent's loader hooks), then imports the real entry module.
const BOOT = `
const { workerData } = require("node:worker_threads");
(async () => {
  if (workerData.tsx) { const { register } = await import(workerData.tsx); register(); }
  await import(workerData.entry);
})().catch((e) => { setImmediate(() => { throw e; }); });
`;

const fromTs = import.meta.url.endsWith(".ts");
const ENTRY = new URL(fromTs ? "./fit-thread.ts" : "./fit-thread.js", import.meta.url).href;

/** URL of tsx's ESM API, needed only when running from sources (tests, `tsx main.ts`). */
function tsxApi(): string | undefined {
  if (!fromTs) return undefined;
  const req = createRequire(import.meta.url);
  const pkgPath = req.resolve("tsx/package.json");
  const pkg = req(pkgPath) as { exports: Record<string, { import: { default: string } }> };
  const api = pkg.exports["./esm/api"]?.import.default;
  if (!api) throw new Error("tsx has no ./esm/api export");
  return new URL(api, pathToFileURL(pkgPath)).href;
}

/** Thrown when a fit is stopped from outside (the run was cancelled, or the worker shuts down). */
export class FitAborted extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "FitAborted";
  }
}

export interface ThreadCallbacks {
  progress(fraction: number, note: string): void;
  log(level: "info" | "warn", message: string): void;
}

/**
 * Fits a task on its own worker thread. `signal` terminates the thread at once (NUTS cannot be
 * interrupted from the thread that runs it) and rejects with FitAborted.
 */
export function runOnThread(
  input: FitInput,
  cb: ThreadCallbacks,
  signal: AbortSignal,
): Promise<FitOutcome> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new FitAborted(String(signal.reason)));
    const worker = new Worker(BOOT, {
      eval: true,
      workerData: { input, entry: ENTRY, tsx: tsxApi() },
      // sources resolve workspace packages through their "source" export condition
      execArgv: fromTs ? [...process.execArgv, "--conditions=source"] : process.execArgv,
    });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      fn();
      void worker.terminate();
    };
    const onAbort = () => finish(() => reject(new FitAborted(String(signal.reason))));
    signal.addEventListener("abort", onAbort);
    worker.on("message", (m: FromThread) => {
      if (m.type === "progress") cb.progress(m.fraction, m.note);
      else if (m.type === "log") cb.log(m.level, m.message);
      else if (m.type === "done") finish(() => resolve(m.outcome));
      else finish(() => reject(new Error(m.error)));
    });
    worker.on("error", (e) => finish(() => reject(e)));
    worker.on("exit", (code) =>
      finish(() => reject(new Error(`fit thread exited with code ${code} before finishing`))),
    );
  });
}
