// Runs a Stan program through R's rstan (Debian r-cran-rstan) for the benchmark. Edge code: it
// writes files under a work folder and spawns Rscript.
import { execFileSync, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** True when Rscript and rstan are installed. */
export function hasRstan(): boolean {
  const r = spawnSync("Rscript", ["-e", "suppressMessages(library(rstan)); cat('ok')"], {
    encoding: "utf8",
  });
  return r.status === 0 && r.stdout.includes("ok");
}

/** Data in R dump format (rstan::read_rdump): vectors as c(...), matrices column-major. */
export function toRdump(data: Record<string, unknown>): string {
  const num = (x: number) => (Number.isInteger(x) ? `${x}` : x.toPrecision(17));
  const lines: string[] = [];
  for (const [k, v] of Object.entries(data)) {
    if (typeof v === "number") lines.push(`${k} <- ${num(v)}`);
    else if (Array.isArray(v) && v.length > 0 && Array.isArray(v[0])) {
      const rows = v as number[][];
      const flat: number[] = [];
      for (let j = 0; j < rows[0].length; j++) for (const row of rows) flat.push(row[j]);
      lines.push(
        `${k} <- structure(c(${flat.map(num).join(",")}), .Dim = c(${rows.length}, ${rows[0].length}))`,
      );
    } else if (Array.isArray(v)) {
      const a = v as number[];
      lines.push(
        a.length === 1
          ? `${k} <- array(${num(a[0])}, dim = 1)`
          : `${k} <- c(${a.map(num).join(",")})`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

const R_SCRIPT = `
args <- commandArgs(trailingOnly = TRUE)
suppressMessages(library(rstan))
rds <- args[7]
sm <- if (file.exists(rds)) readRDS(rds) else { m <- stan_model(args[1]); saveRDS(m, rds); m }
data <- read_rdump(args[2])
fit <- sampling(sm, data = data, chains = 4, iter = 2000, warmup = 1000, seed = as.integer(args[3]),
  cores = 1, refresh = 0, control = list(adapt_delta = as.numeric(args[5]), max_treedepth = as.integer(args[6])))
t <- get_elapsed_time(fit)
sp <- get_sampler_params(fit, inc_warmup = TRUE)
nleap <- sum(sapply(sp, function(x) sum(x[, "n_leapfrog__"])))
spd <- get_sampler_params(fit, inc_warmup = FALSE)
div <- sum(sapply(spd, function(x) sum(x[, "divergent__"])))
depth <- mean(sapply(spd, function(x) mean(x[, "treedepth__"])))
arr <- as.array(fit)
pars <- strsplit(args[8], ",")[[1]]
essb <- sapply(pars, function(p) ess_bulk(arr[, , p]))
esst <- sapply(pars, function(p) ess_tail(arr[, , p]))
cat(sprintf("time %.6f\\nwarmup %.6f\\nnleap %d\\ndiv %d\\ndepth %.4f\\nminess %.4f\\nminesst %.4f\\n",
  sum(t), sum(t[, 1]), as.integer(nleap), as.integer(div), depth, min(essb), min(esst)), file = args[4])
`;

export interface StanRun {
  /** Warm-up + sampling seconds, summed over chains (rstan's get_elapsed_time; compilation excluded). */
  seconds: number;
  nLeapfrog: number;
  divergences: number;
  meanTreeDepth: number;
  minEssBulk: number;
  minEssTail: number;
}

/** Compiles (cached as .rds in `work`) and samples a Stan program with 4 chains x 1000 + 1000. */
export function runStan(opts: {
  work: string;
  name: string;
  stanFile: string;
  data: Record<string, unknown>;
  seed: number;
  adaptDelta: number;
  maxTreeDepth: number;
  params: string[];
}): StanRun {
  const script = join(opts.work, "run-stan.R");
  writeFileSync(script, R_SCRIPT);
  const dataFile = join(opts.work, `${opts.name}.data.R`);
  writeFileSync(dataFile, toRdump(opts.data));
  const out = join(opts.work, `${opts.name}.out`);
  const rds = join(opts.work, `${opts.name}.rds`);
  execFileSync(
    "Rscript",
    [
      script,
      opts.stanFile,
      dataFile,
      String(opts.seed),
      out,
      String(opts.adaptDelta),
      String(opts.maxTreeDepth),
      rds,
      opts.params.join(","),
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  const kv = Object.fromEntries(
    execFileSync("cat", [out], { encoding: "utf8" })
      .trim()
      .split("\n")
      .map((l) => l.split(" ") as [string, string]),
  );
  return {
    seconds: Number(kv.time),
    nLeapfrog: Number(kv.nleap),
    divergences: Number(kv.div),
    meanTreeDepth: Number(kv.depth),
    minEssBulk: Number(kv.miness),
    minEssTail: Number(kv.minesst),
  };
}
