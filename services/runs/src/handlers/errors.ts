import { Code, ConnectError } from "@connectrpc/connect";
import { RunsError } from "../domain/errors.js";

const CODES = {
  invalid: Code.InvalidArgument,
  not_found: Code.NotFound,
  precondition: Code.FailedPrecondition,
  // The caller can do nothing about a tampered row but stop and tell an operator.
  tampered: Code.DataLoss,
} as const;

/** The one place runs maps domain errors to Connect codes; anything else is Internal. */
export function toConnectError(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  if (err instanceof RunsError)
    return new ConnectError(err.message, CODES[err.kind], undefined, undefined, err);
  return new ConnectError("internal error", Code.Internal, undefined, undefined, err);
}
