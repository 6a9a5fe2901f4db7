/**
 * Week-end calendar: the weekly grid of MODEL.md section 1 is Fridays. Dates are ISO strings
 * (YYYY-MM-DD), handled in UTC days so no time zone or clock enters.
 */
const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of an ISO date; throws on a malformed date. */
export function isoToDay(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw new RangeError(`not an ISO date: ${JSON.stringify(iso)}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const back = new Date(ms).toISOString().slice(0, 10);
  if (back !== iso) throw new RangeError(`not a calendar date: ${iso}`);
  return ms / DAY_MS;
}

/** ISO date of a day number. */
export function dayToIso(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The Friday on or after `day` (1970-01-02 was a Friday). */
export function weekEndOf(day: number): number {
  const dow = (((day - 1) % 7) + 7) % 7; // 0 on Fridays
  return dow === 0 ? day : day + (7 - dow);
}

/** `n` consecutive week ends starting with the week containing `startIso`. */
export function weekEnds(startIso: string, n: number): string[] {
  const first = weekEndOf(isoToDay(startIso));
  return Array.from({ length: n }, (_, i) => dayToIso(first + 7 * i));
}

/** True when week ending `iso` contains a calendar quarter end (Mar 31, Jun 30, Sep 30, Dec 31). */
export function isQuarterEndWeek(iso: string): boolean {
  const end = isoToDay(iso);
  for (let d = end - 6; d <= end; d++) {
    const s = dayToIso(d);
    const md = s.slice(5);
    if (md === "03-31" || md === "06-30" || md === "09-30" || md === "12-31") return true;
  }
  return false;
}
