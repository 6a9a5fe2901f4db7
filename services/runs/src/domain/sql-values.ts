/** Small conversions of raw query values (pg and PGlite return dates and numbers alike). */
export const iso = (v: unknown): string =>
  v === null || v === undefined
    ? ""
    : v instanceof Date
      ? v.toISOString()
      : new Date(String(v)).toISOString();

export const json = <T = unknown>(v: unknown): T =>
  (typeof v === "string" ? JSON.parse(v) : v) as T;

export const str = (v: unknown): string => (v === null || v === undefined ? "" : String(v).trim());
