/**
 * The rows of `tx.execute(sql...)`: node-postgres returns a result object with `rows`, PGlite's
 * drizzle driver an object of the same shape, some drivers the array itself.
 */
export function rowsOf(result: unknown): Record<string, unknown>[] {
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Record<
    string,
    unknown
  >[];
}
