/** A small Result type for failures a caller is expected to handle (STYLE.md section 2). */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

/** Wraps a value. */
export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
/** Wraps an error. */
export const err = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });
