import type { FitOutcome } from "./fit-task.js";

/** Messages a fit thread posts to the worker that started it. */
export type FromThread =
  | { type: "progress"; fraction: number; note: string }
  | { type: "log"; level: "info" | "warn"; message: string }
  | { type: "done"; outcome: FitOutcome }
  | { type: "crash"; error: string };
