import type { Potential } from "../potential.js";
import { Tape } from "./tape.js";

/**
 * Builds a {@link Potential} from a function that records the log density on a tape. `build`
 * receives the tape and the index of the first input node (inputs are consecutive) and returns
 * the node holding log p. The tape is owned by the potential and reused on every call.
 */
export function tapePotential(dim: number, build: (t: Tape, x: number) => number): Potential {
  const tape = new Tape(4096);
  return {
    dim,
    logDensityGradient(q: Float64Array, grad: Float64Array): number {
      tape.reset();
      const x = tape.inputs(q);
      const out = build(tape, x);
      return tape.gradient(out, grad, x, dim);
    },
  };
}
