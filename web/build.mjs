// Bundles the web UI into dist/ with esbuild. Workspace packages are bundled from their sources.
import { copyFile, mkdir, rm } from "node:fs/promises";
import { build } from "esbuild";

await rm("dist", { recursive: true, force: true });
await mkdir("dist", { recursive: true });
await build({
  entryPoints: ["src/main.ts"],
  bundle: true,
  format: "esm",
  target: "es2022",
  platform: "browser",
  conditions: ["source"],
  outdir: "dist/assets",
  sourcemap: true,
  minify: true,
  logLevel: "warning",
});
await copyFile("src/index.html", "dist/index.html");
await copyFile("src/styles.css", "dist/assets/styles.css");
