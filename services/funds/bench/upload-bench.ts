// Benchmark: parse and store one workbook of 200 funds x 10 years of weekly rows (104,400 data
// rows), as an .xlsx and as a .csv. Goal (issue 7): under 10 s. Times the parser alone, then the
// whole storeUpload (parse, weekly grid, hashes, Parquet per fund, raw file, database rows).
//   pnpm tsx --conditions=source services/funds/bench/upload-bench.ts [--write]
// Uses PostgreSQL when DATABASE_URL is set (an empty database it may migrate), else embedded PGlite.
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLocalStore, openDatabase } from "@portal/runtime";
import { parseWorkbook } from "@portal/workbook";
import ExcelJS from "exceljs";
import { storeUpload } from "../src/domain/store-upload.js";

const FUNDS = 200;
const WEEKS = 522; // 10 years of Fridays
const RUNS = 3;
const MIGRATIONS = fileURLToPath(new URL("../migrations", import.meta.url));
const RESULTS = fileURLToPath(new URL("./RESULTS.md", import.meta.url));

/** Deterministic rows: calls in the first four years, NAV every week, distributions later. */
function rows(): (string | number | null)[][] {
  let s = 20251125;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const out: (string | number | null)[][] = [];
  const start = Date.UTC(2014, 0, 3);
  for (let f = 0; f < FUNDS; f++) {
    let nav = 0;
    for (let w = 0; w < WEEKS; w++) {
      const date = new Date(start + w * 7 * 86_400_000).toISOString().slice(0, 10);
      const call = w < 208 && w % 13 === 0 ? Math.round(1_000_000 * (0.5 + rand())) : null;
      nav = nav * (1 + (rand() - 0.48) * 0.02) + (call ?? 0);
      const dist = w > 260 && w % 26 === 0 ? Math.round(nav * 0.05) : null;
      if (dist) nav -= dist;
      out.push([
        `Fund ${String(f + 1).padStart(3, "0")}`,
        date,
        call,
        dist,
        Math.round(nav * 100) / 100 || null,
      ]);
    }
  }
  return out;
}

const HEADER = ["Fund", "Date", "Contribution", "Distribution", "GP NAV"];

async function xlsxOf(data: (string | number | null)[][]): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet("Data").addRows([HEADER, ...data]);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}
const csvOf = (data: (string | number | null)[][]) =>
  new TextEncoder().encode(
    [HEADER, ...data].map((r) => r.map((c) => c ?? "").join(",")).join("\n"),
  );

const seconds = (t0: number) => (performance.now() - t0) / 1000;

const data = rows();
const files = { xlsx: await xlsxOf(data), csv: csvOf(data) };
const db = await openDatabase(process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : {});
await db.migrate("funds", MIGRATIONS);
const root = await mkdtemp(join(tmpdir(), "funds-bench-"));
const storage = createLocalStore({
  root,
  publicBaseUrl: "http://x/files",
  signingKey: new Uint8Array(32),
});
const lines: string[] = [];
try {
  for (const [format, bytes] of Object.entries(files)) {
    const parse: number[] = [];
    const store: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      let t0 = performance.now();
      const parsed = await parseWorkbook(bytes);
      parse.push(seconds(t0));
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems.slice(0, 3)));
      t0 = performance.now();
      const r = await storeUpload(
        { db, storage },
        { orgId: randomUUID(), uploadedBy: "bench", filename: `bench.${format}`, bytes },
      );
      store.push(seconds(t0));
      if (r.status !== "accepted" || r.funds.length !== FUNDS) throw new Error("not stored");
    }
    const fmt = (xs: number[]) => {
      const sorted = [...xs].sort((a, b) => a - b);
      return `${sorted[0]?.toFixed(2)} s / ${sorted[Math.floor(sorted.length / 2)]?.toFixed(2)} s`;
    };
    const best = Math.min(...store);
    lines.push(
      `| ${format} | ${(bytes.byteLength / 1e6).toFixed(1)} MB | ${data.length} | ${fmt(parse)} | ${fmt(store)} | ${best < 10 ? "yes" : "no"} |`,
    );
    console.log(lines.at(-1));
  }
} finally {
  await db.close();
  await rm(root, { recursive: true, force: true });
}

if (process.argv.includes("--write")) {
  const cpu = cpus();
  const header = [
    "# Upload benchmark",
    "",
    `Parse and store one workbook of ${FUNDS} funds x ${WEEKS} weekly rows (10 years). Goal: under 10 s.`,
    '"parse" is `parseWorkbook` alone; "parse + store" is the whole `storeUpload` (parse, weekly',
    "grid, identity and data hashes, one Parquet object per fund, the raw file, database rows), each",
    `run ${RUNS} times (a new organisation each time) and reported as best / median: the machine is`,
    "shared, so the best run is the one least disturbed. Each run below is appended by `--write`.",
    "",
  ].join("\n");
  const section = [
    `## ${new Date().toISOString()}`,
    "",
    `- machine: ${cpu[0]?.model ?? "unknown"}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB memory; Node ${process.version}; load average at the end ${loadavg()[0]?.toFixed(1)} (other work shared the machine)`,
    `- database: ${process.env.DATABASE_URL ? "PostgreSQL (local)" : "embedded PGlite"}; objects: local folder`,
    `- command: \`${process.env.DATABASE_URL ? "DATABASE_URL=postgres://… " : ""}pnpm tsx --conditions=source services/funds/bench/upload-bench.ts --write\``,
    "",
    "| format | size | data rows | parse (best / median) | parse + store (best / median) | under 10 s (best) |",
    "| --- | --- | --- | --- | --- | --- |",
    ...lines,
    "",
  ].join("\n");
  const before = existsSync(RESULTS) ? readFileSync(RESULTS, "utf8") : header;
  writeFileSync(RESULTS, `${before}\n${section}`);
}
