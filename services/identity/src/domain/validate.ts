import { InvalidInput } from "./errors.js";

export const MAX_NAME = 200;
export const MAX_EMAIL = 254;
export const MIN_PASSWORD = 12;
export const MAX_PASSWORD = 256;

const SLUG = /^[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]$/;
// Deliberately strict: one @, a dotted domain, no spaces or control characters, ASCII only.
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COLOR = /^#[0-9a-f]{6}$/i;
// Characters that render invisibly or reorder text: never allowed in names.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/;

/**
 * A slug is plain ASCII (a-z, 0-9, hyphens), 3 to 63 characters. Anything else is refused rather
 * than normalised: a Cyrillic "а" looks like a Latin "a", and two slugs that look alike must not
 * both exist.
 */
export function parseSlug(field: string, value: string): string {
  if (/[^\x20-\x7e]/.test(value)) {
    throw new InvalidInput(
      field,
      "contains non-ASCII characters (look-alike letters are not allowed): use a-z, 0-9 and hyphens",
    );
  }
  if (value.length < 3 || value.length > 63) {
    throw new InvalidInput(field, `must be 3 to 63 characters, got ${value.length}`);
  }
  if (!SLUG.test(value)) {
    throw new InvalidInput(
      field,
      "use lower-case a-z, 0-9 and hyphens, starting and ending with a letter or digit",
    );
  }
  return value;
}

/** A display name: trimmed, 1 to MAX_NAME characters, no control or invisible characters. */
export function parseName(field: string, value: string): string {
  const v = value.trim();
  if (v.length === 0) throw new InvalidInput(field, "is required");
  if (v.length > MAX_NAME) {
    throw new InvalidInput(field, `is ${v.length} characters; at most ${MAX_NAME} are allowed`);
  }
  if (INVISIBLE.test(v)) throw new InvalidInput(field, "contains control or invisible characters");
  return v;
}

/** An email address, lower-cased (emails identify users case-insensitively). */
export function parseEmail(field: string, value: string): string {
  const v = value.trim();
  if (v.length > MAX_EMAIL) {
    throw new InvalidInput(field, `is ${v.length} characters; at most ${MAX_EMAIL} are allowed`);
  }
  if (!EMAIL.test(v))
    throw new InvalidInput(field, `${JSON.stringify(v)} is not a valid email address`);
  return v.toLowerCase();
}

export function parseUuid(field: string, value: string): string {
  if (!UUID.test(value))
    throw new InvalidInput(field, `${JSON.stringify(value.slice(0, 64))} is not a uuid`);
  return value.toLowerCase();
}

export function parsePassword(field: string, value: string): string {
  if (value.length < MIN_PASSWORD) {
    throw new InvalidInput(field, `must be at least ${MIN_PASSWORD} characters`);
  }
  if (value.length > MAX_PASSWORD) {
    throw new InvalidInput(field, `must be at most ${MAX_PASSWORD} characters`);
  }
  return value;
}

export function parseColor(field: string, value: string): string {
  if (!COLOR.test(value))
    throw new InvalidInput(field, `${JSON.stringify(value.slice(0, 32))} is not a #rrggbb colour`);
  return value.toLowerCase();
}

export function parseHttpsUrl(field: string, value: string): string {
  if (value.length > 2048) throw new InvalidInput(field, "is longer than 2048 characters");
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new InvalidInput(field, "is not a URL");
  }
  if (u.protocol !== "https:") throw new InvalidInput(field, "must be an https URL");
  return u.toString();
}

/** Page size: 0 means the default; anything outside 0..max is refused. */
export function parsePageSize(field: string, value: number, max = 500, dflt = 50): number {
  if (value < 0 || value > max) throw new InvalidInput(field, `must be between 0 and ${max}`);
  return value === 0 ? dflt : value;
}

export function parsePageToken(field: string, value: string): number {
  if (value === "") return 0;
  if (!/^\d{1,9}$/.test(value)) throw new InvalidInput(field, "is not a token this service issued");
  return Number(value);
}
