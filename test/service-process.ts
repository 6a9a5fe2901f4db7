/** A service started as its own process, as `pnpm --filter <service> start` would (tests only). */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Starts `services/<name>/src/main.ts` as its own process and waits for it to listen. */
export async function startService(
  name: string,
  env: Record<string, string>,
): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", `services/${name}/src/main.ts`],
    {
      cwd: root,
      env: { ...process.env, ...env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    const rec = JSON.parse(line) as { msg?: string; port?: number };
    if (rec.msg?.startsWith("listening") && rec.port) return { proc, port: rec.port };
  }
  throw new Error(`${name} exited before listening`);
}
