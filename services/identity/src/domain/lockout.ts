import type { Tx } from "@portal/runtime";
import { eq, sql } from "drizzle-orm";
import { users } from "../db/schema/index.js";

/** Failures allowed before back-off starts. */
export const FREE_FAILURES = 5;
/** First lock after FREE_FAILURES failures; each further failure doubles it, up to MAX_LOCK_MS. */
export const FIRST_LOCK_MS = 30_000;
export const MAX_LOCK_MS = 15 * 60_000;

/** How long to lock after the n-th consecutive failure (0 while under FREE_FAILURES). */
export function lockDurationMs(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(FIRST_LOCK_MS * 2 ** (failures - FREE_FAILURES), MAX_LOCK_MS);
}

/** Counts one more failed login for the user and locks them once FREE_FAILURES are used up. */
export async function countFailure(tx: Tx, userId: string, now: Date): Promise<void> {
  const [u] = await tx
    .update(users)
    .set({ failedLogins: sql`${users.failedLogins} + 1` })
    .where(eq(users.id, userId))
    .returning({ failedLogins: users.failedLogins });
  const lock = lockDurationMs(u?.failedLogins ?? 0);
  if (lock > 0) {
    await tx
      .update(users)
      .set({ lockedUntil: new Date(now.getTime() + lock) })
      .where(eq(users.id, userId));
  }
}
