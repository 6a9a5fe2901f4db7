/**
 * `navcast`: the thin command-line edge of @portal/navcast. It reads and writes files, draws a
 * progress bar on a terminal, and leaves everything else to the package.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { parseArgs } from "node:util";
import { SingleBar } from "cli-progress";
import {
  createRng,
  drawParams,
  fitOutput,
  fundToJson,
  generateSkeleton,
  isFitted,
  NavcastError,
  parseFund,
  parseRunConfig,
  runWindows,
  simulateFund,
} from "../src/index.js";

const HELP = `navcast: NAV nowcasting with the NAVcast state-space model (MODEL.md)

Usage:
  navcast simulate --out FUND.json [options]   simulate a fund (section-10 JSON with "truth")
  navcast fit --fund FUND.json --config CONFIG.json --out OUT.json
                                               fit every window; write summaries and nowcasts
  navcast <command> --help                     options of a command
`;

const SIMULATE_HELP = `navcast simulate --out FUND.json [options]

Simulates a buyout-like fund from the model (MODEL.md sections 2-3): calls over the first half of
its life, distributions from 30% of it on, GP NAVs at quarter ends. Parameters are drawn from the
default priors unless --params is given.

Options:
  --out FILE        where to write the fund JSON (required)
  --seed N          seed of the skeleton, the parameters and the simulation (default 1)
  --years Y         life of the fund in years (default 10)
  --secondary K     number of secondary prices (default 0)
  --nav-lag L       GP appraisal lag in weeks (default 2)
  --params FILE     JSON object of true parameters (alpha, beta, F, rho, lambda, sigma_n,
                    log_delta, sigma_d, sigma_s) instead of prior draws
  --name NAME       fund name (default simulated-<seed>)
  -h, --help        this help
`;

const FIT_HELP = `navcast fit --fund FUND.json --config CONFIG.json --out OUT.json

Runs the fund processor and the model over the config's windows and writes config_hash,
data_hash and, per window, posterior summaries, the nowcast and sampler diagnostics
(MODEL.md section 10). Values in the fund's "external" block are used as given.

Config keys (all optional): nav_lag_weeks, category1 ("fixed" | "prior"), priors
{ name: { family, ... } }, garch_method, garch_allow_igarch, windows ("quarterly" | "last" |
[dates]), mode ("independent" | "sequential"), parameterization, distribution_weeks,
sampler { chains, warmup, draws, seed, target_accept, max_treedepth, metric, threads,
extend_rounds, extend_rhat, extend_min_ess, extend_min_progress, ... } (packages/navcast/README.md
lists them all).

A window whose chains have not converged (some R-hat >= extend_rhat, 1.01, or bulk-ESS <
extend_min_ess, 400) runs on for up to extend_rounds (3) rounds of up to \`draws\` more draws per
chain, stopping early when more than 0.1% of its draws diverged or a round barely helped chains
that are stuck (extend_min_progress, 0.25); one still short of the bar when its rounds end is
named on stderr.

Options:
  --fund FILE       fund JSON (required)
  --config FILE     config JSON (required; {} for the defaults)
  --out FILE        where to write the results (required)
  --quiet           no progress bar
  -h, --help        this help
`;

// pnpm runs the bin inside the package; resolve paths against where the user typed the command
const baseDir = process.env.INIT_CWD ?? process.cwd();
const path = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
const readJson = (p: string): unknown => JSON.parse(readFileSync(path(p), "utf8"));
const writeJson = (p: string, v: unknown) =>
  writeFileSync(path(p), `${JSON.stringify(v, null, 1)}\n`);

function fail(msg: string): never {
  process.stderr.write(`navcast: ${msg}\n`);
  process.exit(2);
}

async function simulate(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: "string" },
      seed: { type: "string", default: "1" },
      years: { type: "string", default: "10" },
      secondary: { type: "string", default: "0" },
      "nav-lag": { type: "string", default: "2" },
      params: { type: "string" },
      name: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return void process.stdout.write(SIMULATE_HELP);
  if (!values.out) fail("simulate needs --out (see navcast simulate --help)");
  const seed = Number(values.seed);
  const sk = generateSkeleton({
    seed,
    years: Number(values.years),
    secondaryCount: Number(values.secondary),
    name: values.name,
  });
  const params = values.params
    ? (readJson(values.params) as ReturnType<typeof drawParams>)
    : drawParams(createRng(seed, 0x9a4a));
  const fund = simulateFund(sk, params, { seed, navLagWeeks: Number(values["nav-lag"]) });
  writeJson(values.out, fundToJson(fund));
  process.stderr.write(`wrote ${values.out}: ${fund.weeks.length} weeks\n`);
}

async function fit(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      fund: { type: "string" },
      config: { type: "string" },
      out: { type: "string" },
      quiet: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return void process.stdout.write(FIT_HELP);
  if (!values.fund || !values.config || !values.out) {
    fail("fit needs --fund, --config and --out (see navcast fit --help)");
  }
  const fund = parseFund(readJson(values.fund));
  const config = parseRunConfig(readJson(values.config));
  const bar =
    process.stderr.isTTY && !values.quiet
      ? new SingleBar({
          format: "window {window}/{windows} {week} |{bar}| {percentage}% chain {chain}{note}",
          stream: process.stderr,
        })
      : null;
  const perWindow = config.sampler.chains * (config.sampler.warmup + config.sampler.draws);
  let started = false;
  const windows = await runWindows(fund, config, {
    onProgress: bar
      ? (p) => {
          const total = p.windows * perWindow;
          // an extension round (the window had not converged) holds the bar at the window's end
          const done =
            p.round > 0
              ? (p.window + 1) * perWindow
              : p.window * perWindow + p.sampler.chain * p.sampler.total + p.sampler.iteration;
          const payload = {
            window: p.window + 1,
            windows: p.windows,
            week: p.week,
            chain: p.sampler.chain + 1,
            note:
              p.round > 0
                ? `, running longer (round ${p.round}: ${p.sampler.iteration}/${p.sampler.total})`
                : "",
          };
          if (!started) {
            bar.start(total, 0, payload);
            started = true;
          }
          if (p.sampler.iteration % 20 === 0) bar.update(done, payload);
        }
      : undefined,
  });
  bar?.stop();
  writeJson(values.out, fitOutput(fund, config, windows));
  const fitted = windows.filter(isFitted);
  for (const w of windows) {
    if (!isFitted(w))
      process.stderr.write(`navcast: window ${w.week} not fitted: ${w.error.message}\n`);
    else
      for (const warning of w.sampler.warnings)
        process.stderr.write(`navcast: window ${w.week}: ${warning}\n`);
  }
  const last = fitted[fitted.length - 1];
  if (!last) {
    process.stderr.write(`wrote ${values.out}: no window could be fitted\n`);
    process.exit(1);
  }
  process.stderr.write(
    `wrote ${values.out}: ${windows.length} window(s); nowcast ${last.week}: V median ${last.nowcast.V.q50.toPrecision(6)} (90% ${last.nowcast.V.q05.toPrecision(4)}-${last.nowcast.V.q95.toPrecision(4)}), divergences ${last.sampler.divergences}\n`,
  );
}

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === undefined || cmd === "--help" || cmd === "-h" || cmd === "help") {
    process.stdout.write(HELP);
    return;
  }
  if (cmd === "simulate") return simulate(rest);
  if (cmd === "fit") return fit(rest);
  fail(`unknown command ${cmd}\n\n${HELP}`);
}

main().catch((e: unknown) => {
  if (e instanceof NavcastError) {
    process.stderr.write(`navcast: ${e.message}\n  ${e.code} ${JSON.stringify(e.context)}\n`);
    process.exit(1);
  }
  if (e instanceof TypeError && String((e as Error).message).includes("parseArgs"))
    fail((e as Error).message);
  process.stderr.write(`navcast: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
