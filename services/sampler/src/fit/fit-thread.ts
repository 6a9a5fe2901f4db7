/**
 * Worker-thread entry: fits one task and posts progress, log lines and the outcome to the parent.
 * The sampler runs NUTS synchronously, so the fit must not share a thread with the queue's
 * in-progress acks and the cancel channel; terminating this thread is how a task is cancelled.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { FitInput } from "./fit-task.js";
import { fitTask } from "./fit-task.js";
import type { FromThread } from "./thread-protocol.js";

const port = parentPort;
if (!port) throw new Error("fit-thread runs on a worker thread");
const post = (m: FromThread) => port.postMessage(m);
const input = (workerData as { input: FitInput }).input;

fitTask(
  input,
  (fraction, note) => post({ type: "progress", fraction, note }),
  (level, message) => post({ type: "log", level, message }),
).then(
  (outcome) => post({ type: "done", outcome }),
  (e: unknown) =>
    post({ type: "crash", error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }),
);
