import type { ChainConfig, ChainOutput, Progress } from "../chain.js";

/** What the main thread hands each worker at start-up. */
export interface WorkerBoot {
  /** URL of worker-entry (.ts or .js). */
  entry: string;
  /** URL of the model module; it exports createPotential(data) => Potential. */
  module: string;
  data: unknown;
  /** URL of tsx's ESM API when TypeScript modules must be loaded. */
  tsx: string | null;
}

export type ToWorker = { type: "run"; job: number; cfg: ChainConfig; progress: boolean };

export type FromWorker =
  | { type: "ready"; dim: number }
  | { type: "progress"; job: number; p: Progress }
  | { type: "done"; job: number; out: ChainOutput }
  | {
      type: "error";
      job: number;
      name: string;
      message: string;
      chain?: number;
      attempts?: number;
    };
