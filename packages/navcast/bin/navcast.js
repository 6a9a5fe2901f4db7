#!/usr/bin/env node
// Runs the TypeScript CLI through tsx with the "source" export condition, so the workspace
// packages resolve to their sources and nothing needs building first.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("./navcast-cli.ts", import.meta.url));
const tsx = import.meta.resolve("tsx");
const r = spawnSync(
  process.execPath,
  ["--conditions=source", "--import", tsx, cli, ...process.argv.slice(2)],
  { stdio: "inherit" },
);
process.exit(r.status ?? 1);
