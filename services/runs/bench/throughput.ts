/**
 * Benchmark of the run pipeline's queue and workers: tasks per minute with 1 and with 2 sampler
 * workers, side by side in one run, and the queue overhead per task (from dispatch to a worker
 * starting it).
 *
 *   node --conditions=source --import tsx services/runs/bench/throughput.ts \
 *     [--queue nats|database] [--tasks 6] [--probes 20] [--nats nats://127.0.0.1:4222]
 *
 * With `--queue nats` (the distributed deployment) each worker is a separate process
 * (`worker-process.ts`, forked), as sampler pods are: its own `startSampler` with one task at a
 * time, its own NATS connection, pulling from the shared JetStream work queue. With
 * `--queue database` (embedded mode, where the queue lives in the process's PGlite and the
 * workers in the same process) the workers are `startSampler` instances in this process; every
 * fit runs on its own worker thread either way.
 *
 * Each task is a real navcast fit of a 2-year simulated fund (2 chains x 100 warm-up x 100 draws,
 * last window). Tasks per minute run from the first dispatch to the last result. Overhead probes
 * use tasks that end right after they start (their input hash does not match), so the worker is
 * idle when each is dispatched and nothing else is measured.
 */
import type { ChildProcess } from "node:child_process";
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { sha256Hex } from "@portal/hashing";
import {
  configHash,
  createRng,
  drawParams,
  fundToJson,
  generateSkeleton,
  parseRunConfig,
  simulateFund,
} from "@portal/navcast";
import type { BusEvent, EventBus, WorkQueue } from "@portal/runtime";
import {
  createDatabaseBus,
  createLocalStore,
  createLogger,
  createNatsBus,
  openDatabase,
} from "@portal/runtime";
import type { FitTask, TaskResult, TaskStarted } from "@portal/sampler-service";
import { SUBJECTS, startSampler, TASK_QUEUE } from "@portal/sampler-service";

const { values: args } = parseArgs({
  options: {
    queue: { type: "string", default: "nats" },
    tasks: { type: "string", default: "6" },
    probes: { type: "string", default: "20" },
    nats: { type: "string", default: "nats://127.0.0.1:4222" },
  },
});
const TASKS = Number(args.tasks);
const PROBES = Number(args.probes);
const ORG = "6f1c1b7e-0000-4000-8000-00000000be7c";
const CONFIG = { windows: "last", sampler: { chains: 2, warmup: 100, draws: 100 } };

interface Opened {
  queue: WorkQueue;
  bus: EventBus;
  /** The JetStream namespace worker processes join; unset: workers run in this process. */
  namespace?: string;
  close(): Promise<void>;
}

async function openQueue(): Promise<Opened> {
  if (args.queue === "nats") {
    const namespace = `BENCH${randomBytes(3).toString("hex").toUpperCase()}`;
    const n = await createNatsBus({ url: args.nats, namespace });
    return {
      queue: n.queue,
      bus: n.bus,
      namespace,
      async close() {
        // Only this run's streams: the NATS server may be shared.
        const names =
          (await n.nc.request("$JS.API.STREAM.NAMES", "{}")).json<{ streams: string[] | null }>()
            .streams ?? [];
        for (const name of names.filter((x) => x.startsWith(namespace)))
          await n.nc.request(`$JS.API.STREAM.DELETE.${name}`, "");
        await n.queue.close(1000);
      },
    };
  }
  const db = await openDatabase({});
  const d = createDatabaseBus(db);
  return {
    ...d,
    async close() {
      await d.queue.close(1000);
      await d.bus.close(1000);
      await db.close();
    },
  };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "runs-bench-"));
  const storage = createLocalStore({
    root: dir,
    publicBaseUrl: "http://localhost/files",
    signingKey: new Uint8Array(32),
  });
  const { queue, bus, namespace, close } = await openQueue();
  const log = createLogger({ service: "bench", level: "silent" });
  const load: number[] = [loadavg()[0] ?? 0];

  /** Starts `n` workers (processes with NATS, in this process with the database queue). */
  async function startWorkers(n: number): Promise<{ stop(): Promise<void> }> {
    if (namespace) {
      const children = await Promise.all(
        Array.from(
          { length: n },
          () =>
            new Promise<ChildProcess>((resolve, reject) => {
              const child = fork(new URL("./worker-process.ts", import.meta.url), [], {
                env: {
                  ...process.env,
                  BENCH_NATS_URL: args.nats,
                  BENCH_NAMESPACE: namespace,
                  BENCH_STORAGE_ROOT: dir,
                },
              });
              child.once("message", () => resolve(child));
              child.once("error", reject);
              child.once("exit", (code) => reject(new Error(`worker process exited (${code})`)));
            }),
        ),
      );
      return {
        async stop() {
          await Promise.all(
            children.map(
              (c) =>
                new Promise<void>((resolve) => {
                  c.removeAllListeners("exit");
                  c.once("exit", () => resolve());
                  c.send("stop");
                }),
            ),
          );
        },
      };
    }
    const samplers = await Promise.all(
      Array.from({ length: n }, () =>
        startSampler({
          queue,
          bus,
          storage,
          log,
          concurrency: 1,
          maxDeliver: 3,
          ackWaitMs: 30_000,
        }),
      ),
    );
    return {
      async stop() {
        await Promise.all(samplers.map((s) => s.stop(1000)));
      },
    };
  }

  const fund = simulateFund(
    generateSkeleton({ seed: 9, years: 2, name: "bench" }),
    drawParams(createRng(9)),
    { seed: 9 },
  );
  const input = new TextEncoder().encode(JSON.stringify(fundToJson(fund)));
  const inputKey = `model-inputs/${ORG}/${"a".repeat(64)}/${"b".repeat(64)}.json`;
  await storage.put(inputKey, input);
  const task = (runId: string, taskId: string, good: boolean): FitTask => ({
    v: 1,
    runId,
    orgId: ORG,
    taskId,
    attempt: 1,
    fundIdentityHash: "a".repeat(64),
    dataHash: "b".repeat(64),
    inputKey,
    inputSha256: good ? sha256Hex(input) : "0".repeat(64),
    window: "last",
    config: CONFIG,
    configHash: configHash(parseRunConfig(CONFIG)),
  });

  const waiters = new Map<string, (e: BusEvent) => void>();
  const on = (subject: string, durable: string) =>
    bus.subscribe(
      durable,
      subject,
      async (e) => {
        const d = e.data as { runId: string; taskId: string };
        waiters.get(`${subject}|${d.runId}|${d.taskId}`)?.(e);
      },
      { from: "new", inactiveMs: 60_000 },
    );
  const subs = [
    await on(SUBJECTS.taskStarted, `bench-started-${randomBytes(3).toString("hex")}`),
    await on(SUBJECTS.taskResult, `bench-result-${randomBytes(3).toString("hex")}`),
  ];
  const next = (subject: string, runId: string, taskId: string) =>
    new Promise<BusEvent>((resolve) => waiters.set(`${subject}|${runId}|${taskId}`, resolve));

  async function throughput(workers: number): Promise<number> {
    const pool = await startWorkers(workers);
    const runId = `tp${workers}-${randomBytes(3).toString("hex")}`;
    const done = Array.from({ length: TASKS }, (_, i) => next(SUBJECTS.taskResult, runId, `t${i}`));
    const t0 = performance.now();
    for (let i = 0; i < TASKS; i++)
      await queue.enqueue(TASK_QUEUE, `${runId}:t${i}:1`, task(runId, `t${i}`, true));
    const results = await Promise.all(done);
    const minutes = (performance.now() - t0) / 60_000;
    const failed = results.filter((r) => (r.data as TaskResult).status !== "succeeded");
    if (failed.length > 0) throw new Error(`${failed.length} bench task(s) failed`);
    await pool.stop();
    load.push(loadavg()[0] ?? 0);
    return TASKS / minutes;
  }

  async function overhead(): Promise<number[]> {
    const pool = await startWorkers(1);
    const runId = `oh-${randomBytes(3).toString("hex")}`;
    const out: number[] = [];
    for (let i = 0; i < PROBES; i++) {
      const started = next(SUBJECTS.taskStarted, runId, `p${i}`);
      const finished = next(SUBJECTS.taskResult, runId, `p${i}`);
      const dispatchedAt = Date.now();
      await queue.enqueue(TASK_QUEUE, `${runId}:p${i}:1`, task(runId, `p${i}`, false));
      const s = (await started).data as TaskStarted;
      out.push(Date.parse(s.startedAt) - dispatchedAt);
      await finished; // the worker is idle again before the next probe
    }
    await pool.stop();
    load.push(loadavg()[0] ?? 0);
    return out;
  }

  const oh = await overhead();
  const one = await throughput(1);
  const two = await throughput(2);
  for (const s of subs) await s.stop(1000);
  await close();
  await rm(dir, { recursive: true, force: true });

  const sorted = [...oh].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  const mean = oh.reduce((a, b) => a + b, 0) / oh.length;
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const workers = namespace ? "worker processes" : "workers in this process";
  const queueName = namespace ? "NATS JetStream" : "database queue (PGlite)";
  console.log(
    [
      `${new Date().toISOString()}; machine: ${cpus().length} x ${cpu}, Node ${process.version}`,
      `load average (1 min) at start and after each phase: ${load.map((l) => l.toFixed(1)).join(", ")}`,
      `queue: ${queueName}; ${workers}, one task at a time each; ${TASKS} tasks per phase`,
      "",
      `| queue | tasks/min, 1 worker | tasks/min, 2 workers | 2 vs 1 | overhead mean | median | p90 | max |`,
      "| --- | --- | --- | --- | --- | --- | --- | --- |",
      `| ${queueName} | ${one.toFixed(1)} | ${two.toFixed(1)} | ${(two / one).toFixed(2)} x | ${mean.toFixed(1)} ms | ${q(0.5)} ms | ${q(0.9)} ms | ${sorted.at(-1)} ms |`,
      "",
      `queue overhead per task = dispatch to start, ${PROBES} probes with an idle worker (goal < 50 ms)`,
    ].join("\n"),
  );
}

await main();
