/**
 * One sampler worker process for the benchmark (`throughput.ts` forks it): a `startSampler` with
 * one task at a time on the benchmark's JetStream namespace and object folder, as a sampler pod
 * would run it. Says `{ ready: true }` to its parent once pulling; stops when sent "stop".
 *
 * Settings (environment): BENCH_NATS_URL, BENCH_NAMESPACE, BENCH_STORAGE_ROOT.
 */
import { createLocalStore, createLogger, createNatsBus } from "@portal/runtime";
import { startSampler } from "@portal/sampler-service";

const need = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (throughput.ts sets it)`);
  return v;
};

const n = await createNatsBus({ url: need("BENCH_NATS_URL"), namespace: need("BENCH_NAMESPACE") });
const storage = createLocalStore({
  root: need("BENCH_STORAGE_ROOT"),
  publicBaseUrl: "http://localhost/files",
  signingKey: new Uint8Array(32),
});
const sampler = await startSampler({
  queue: n.queue,
  bus: n.bus,
  storage,
  log: createLogger({ service: "bench-worker", level: "silent" }),
  concurrency: 1,
  maxDeliver: 3,
  ackWaitMs: 30_000,
  workerId: `bench-pid-${process.pid}`,
});
process.on("message", async (m) => {
  if (m !== "stop") return;
  await sampler.stop(1000);
  await n.queue.close(1000);
  process.exit(0);
});
process.send?.({ ready: true });
