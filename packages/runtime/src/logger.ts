import type { Logger } from "pino";
import { pino } from "pino";

export type { Logger } from "pino";

/** Paths never written to logs: credentials, tokens and anything called a secret. */
export const redactPaths = [
  "password",
  "*.password",
  "token",
  "*.token",
  "secret",
  "*.secret",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "headers.cookie",
  "*.apiKey",
  "apiKey",
];

/** The root JSON logger of a process; request loggers are its children. */
export function createLogger(opts: { service: string; level?: string }): Logger {
  return pino({
    name: opts.service,
    level: opts.level ?? "info",
    redact: { paths: redactPaths, censor: "[redacted]" },
    base: { service: opts.service },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
