import { ConfigError, onShutdown } from "@portal/runtime";
import { startEmbedded } from "./index.js";

try {
  const portal = await startEmbedded(process.env);
  onShutdown(portal.log, 25_000, [(grace) => portal.stop(grace)]);
} catch (err) {
  // A configuration error is the operator's to fix: say what, not a stack trace.
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
