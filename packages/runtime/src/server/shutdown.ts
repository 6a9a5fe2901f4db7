import type { Logger } from "../logger.js";

/**
 * Runs `steps` in order on SIGTERM or SIGINT, then exits. Each step gets the grace left; when the
 * whole shutdown overruns the grace, the process exits anyway (Kubernetes would kill it).
 */
export function onShutdown(
  log: Logger,
  graceMs: number,
  steps: ((graceLeftMs: number) => Promise<void>)[],
): void {
  let started = false;
  const run = async (signal: string) => {
    if (started) return;
    started = true;
    const deadline = Date.now() + graceMs;
    log.info({ signal, graceMs }, "shutting down");
    const force = setTimeout(() => {
      log.error("shutdown overran its grace period; exiting");
      process.exit(1);
    }, graceMs + 1000);
    force.unref();
    for (const step of steps) {
      try {
        await step(Math.max(0, deadline - Date.now()));
      } catch (err) {
        log.error({ err }, "shutdown step failed");
      }
    }
    log.info("stopped");
    process.exit(0);
  };
  process.once("SIGTERM", () => void run("SIGTERM"));
  process.once("SIGINT", () => void run("SIGINT"));
}
