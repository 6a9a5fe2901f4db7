// Bundles the web UI with esbuild into dist/, or into the folder given as the first argument
// (tests build into a folder of their own). Workspace packages are bundled from their sources.
import { copyFile, mkdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = fileURLToPath(new URL(".", import.meta.url));
const out = resolve(process.argv[2] ?? join(here, "dist"));

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
  entryPoints: [join(here, "src/main.ts")],
  bundle: true,
  format: "esm",
  target: "es2022",
  platform: "browser",
  conditions: ["source"],
  outdir: join(out, "assets"),
  sourcemap: true,
  minify: true,
  logLevel: "warning",
});
await copyFile(join(here, "src/index.html"), join(out, "index.html"));
await copyFile(join(here, "src/styles.css"), join(out, "assets/styles.css"));
