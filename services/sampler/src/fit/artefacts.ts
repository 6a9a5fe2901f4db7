/**
 * A fitted window as the two Parquet files of seed section 7.3: the posterior draws (one row per
 * chain and draw, one column per parameter plus the nowcast V) and the full statistics (one row
 * per quantity). Pure: bytes in memory, named by the caller.
 */
import type { Summary } from "@portal/navcast";
import { parquetWriteBuffer } from "hyparquet-writer";
import type { FittedWindow } from "./fit-task.js";

export function posteriorsParquet(w: FittedWindow): Uint8Array {
  const names = Object.keys(w.draws).sort();
  const first = w.draws[names[0] ?? ""] ?? [];
  const chain: number[] = [];
  const draw: number[] = [];
  first.forEach((c, ci) => {
    for (let i = 0; i < c.length; i++) {
      chain.push(ci);
      draw.push(i);
    }
  });
  const columns = names.map((n) => {
    const chains = w.draws[n] ?? [];
    const lengths = chains.map((c) => c.length).join(",");
    if (lengths !== first.map((c) => c.length).join(","))
      throw new Error(`draws of ${n} do not match the other parameters (${lengths})`);
    const data = new Float64Array(chain.length);
    let off = 0;
    for (const c of chains) {
      data.set(c, off);
      off += c.length;
    }
    return { name: n, data, type: "DOUBLE" as const };
  });
  return new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: "chain", data: Int32Array.from(chain), type: "INT32" },
        { name: "draw", data: Int32Array.from(draw), type: "INT32" },
        ...columns,
      ],
    }),
  );
}

const STATS: (keyof Summary)[] = [
  "mean",
  "sd",
  "q05",
  "q25",
  "q50",
  "q75",
  "q95",
  "rhat",
  "ess_bulk",
  "ess_tail",
  "mcse_mean",
];

export function fullStatsParquet(w: FittedWindow): Uint8Array {
  const rows: [string, Summary][] = [...Object.entries(w.params), ["V", w.nowcast.V]];
  rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: "quantity", data: rows.map((r) => r[0]), type: "STRING" },
        ...STATS.map((k) => ({
          name: k,
          data: Float64Array.from(rows, (r) => r[1][k]),
          type: "DOUBLE" as const,
        })),
      ],
    }),
  );
}

/** The summary the runs service stores with each posterior result. */
export function windowSummary(w: FittedWindow): Record<string, unknown> {
  return { tau: w.tau, seed: w.seed, params: w.params, nowcast: w.nowcast, sampler: w.sampler };
}
