import { Code, ConnectError } from "@connectrpc/connect";
import {
  Conflict,
  CredentialRefused,
  Forbidden,
  InvalidInput,
  LoginFailed,
  NotFound,
  PreconditionFailed,
} from "../domain/errors.js";

/** The identity service's one mapping from domain errors to Connect codes. */
export function toConnectError(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  const wrap = (code: Code) =>
    new ConnectError((err as Error).message, code, undefined, undefined, err);
  if (err instanceof InvalidInput) return wrap(Code.InvalidArgument);
  if (err instanceof NotFound) return wrap(Code.NotFound);
  if (err instanceof Conflict) return wrap(Code.AlreadyExists);
  if (err instanceof Forbidden) return wrap(Code.PermissionDenied);
  if (err instanceof CredentialRefused) return wrap(Code.Unauthenticated);
  if (err instanceof PreconditionFailed) return wrap(Code.FailedPrecondition);
  if (err instanceof LoginFailed) {
    return wrap(err.retryAfterSeconds ? Code.ResourceExhausted : Code.Unauthenticated);
  }
  return new ConnectError("internal error", Code.Internal, undefined, undefined, err);
}

/** Runs a handler body, mapping whatever it throws. */
export async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toConnectError(err);
  }
}
