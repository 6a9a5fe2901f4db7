/** Failures the runs service's callers are expected to handle; handlers/errors.ts maps them. */
export class RunsError extends Error {
  constructor(
    readonly kind: "invalid" | "not_found" | "precondition" | "tampered",
    message: string,
    readonly context: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "RunsError";
  }
}

export const invalid = (message: string, context?: Record<string, unknown>) =>
  new RunsError("invalid", message, context);
export const notFound = (message: string, context?: Record<string, unknown>) =>
  new RunsError("not_found", message, context);
export const precondition = (message: string, context?: Record<string, unknown>) =>
  new RunsError("precondition", message, context);
