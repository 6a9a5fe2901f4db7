// Worker-thread side of sampleOnWorkers: loads the model module once, then runs the chains it is
// sent. Only the thin edge does I/O (messages); the chain itself is the pure runChain.
import { parentPort, workerData } from "node:worker_threads";
import { runChain } from "../chain.js";
import type { Potential } from "../potential.js";
import type { FromWorker, ToWorker, WorkerBoot } from "./protocol.js";

const boot = workerData as WorkerBoot;
const port = parentPort;
if (!port) throw new Error("worker-entry must run in a worker thread");
const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

const mod = (await import(boot.module)) as { createPotential?: (data: unknown) => Potential };
if (typeof mod.createPotential !== "function") {
  throw new Error(`model module ${boot.module} does not export createPotential(data)`);
}
const pot = mod.createPotential(boot.data);
const f = (q: Float64Array, g: Float64Array) => pot.logDensityGradient(q, g);

port.on("message", (msg: ToWorker) => {
  if (msg.type !== "run") return;
  try {
    if (msg.cfg.dim !== pot.dim)
      throw new RangeError(`model dim ${pot.dim} differs from dim ${msg.cfg.dim}`);
    const out = runChain(
      f,
      msg.cfg,
      msg.progress ? (p) => post({ type: "progress", job: msg.job, p }) : undefined,
    );
    const s = out.stats;
    const buffers = [
      out.draws,
      s.divergent,
      s.treeDepth,
      s.stepSize,
      s.energy,
      s.acceptStat,
      s.nLeapfrog,
      s.logDensity,
    ].map((a) => a.buffer as ArrayBuffer);
    post({ type: "done", job: msg.job, out }, buffers);
  } catch (e) {
    const err = e as Error & { chain?: number; attempts?: number };
    post({
      type: "error",
      job: msg.job,
      name: err.name,
      message: err.message,
      chain: err.chain,
      attempts: err.attempts,
    });
  }
});
post({ type: "ready", dim: pot.dim });
