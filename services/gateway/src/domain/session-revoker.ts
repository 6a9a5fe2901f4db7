import type { BusEvent } from "@portal/runtime";
import type { SessionDeps } from "./sessions.js";
import { revokeUserSessions } from "./sessions.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The identity event that ends a user's sessions (deactivation, role change). */
export const USER_CHANGED = "identity.user.changed";

/**
 * Handles identity's user-changed events: revokes every session of the user, so a deactivated or
 * re-roled user signs in again (and gets the new role). Idempotent, as bus handlers must be.
 */
export function revokeSessionsOnUserChange(deps: SessionDeps) {
  return async (e: BusEvent): Promise<void> => {
    const d = e.data as { orgId?: unknown; userId?: unknown };
    if (typeof d.orgId !== "string" || typeof d.userId !== "string") return;
    if (!UUID.test(d.orgId) || !UUID.test(d.userId)) return;
    await revokeUserSessions(deps, { orgId: d.orgId, userId: d.userId });
  };
}
