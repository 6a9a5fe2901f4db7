/**
 * Typed errors of @portal/navcast. Each carries a machine-readable `code` and a `context` saying
 * which fund, window, parameter or field it concerns, so a caller can act on it.
 */
export type NavcastErrorCode =
  | "invalid_config"
  | "invalid_data"
  | "fund_processor"
  | "garch_not_converged"
  | "garch_nonstationary"
  | "garch_needs_daily"
  | "sampler";

/** Base class: a code, a message that says what and where, and structured context. */
export class NavcastError extends Error {
  readonly code: NavcastErrorCode;
  readonly context: Readonly<Record<string, unknown>>;
  constructor(
    code: NavcastErrorCode,
    message: string,
    context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "NavcastError";
    this.code = code;
    this.context = context;
  }
}

/** A model config that cannot be used (unknown family, bad bounds, prior outside the support). */
export class ConfigError extends NavcastError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super("invalid_config", message, context);
    this.name = "ConfigError";
  }
}

/** Fund data that cannot be used (misaligned arrays, negative flows, no contribution). */
export class DataError extends NavcastError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super("invalid_data", message, context);
    this.name = "DataError";
  }
}

/** A fund-processor step (OLS, GARCH, delta) that failed for a fund and window. */
export class FundProcessorError extends NavcastError {
  constructor(
    code: "fund_processor" | "garch_not_converged" | "garch_nonstationary" | "garch_needs_daily",
    message: string,
    context: Record<string, unknown> = {},
  ) {
    super(code, message, context);
    this.name = "FundProcessorError";
  }
}
