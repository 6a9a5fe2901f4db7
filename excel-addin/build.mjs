// Bundles the task pane into dist/ with esbuild; manifest.xml points Excel at dist/taskpane.html.
import { copyFile, mkdir, rm } from "node:fs/promises";
import { build } from "esbuild";

await rm("dist", { recursive: true, force: true });
await mkdir("dist", { recursive: true });
await build({
  entryPoints: ["src/taskpane.ts"],
  bundle: true,
  format: "esm",
  target: "es2020",
  platform: "browser",
  conditions: ["source"],
  outdir: "dist",
  minify: true,
  logLevel: "warning",
});
await copyFile("src/taskpane.html", "dist/taskpane.html");
