import type { EventBus } from "@portal/runtime";

/** Published when a user is deactivated or their role changes: sessions must not outlive it. */
export const USER_CHANGED = "identity.user.changed";

export interface UserChanged {
  orgId: string;
  userId: string;
  /** deactivated | role_changed */
  reason: "deactivated" | "role_changed";
}

/** Publishes a user change once (the id makes a retried publish deliver one event). */
export async function publishUserChanged(bus: EventBus, e: UserChanged, at: Date): Promise<void> {
  await bus.publish(USER_CHANGED, `${e.userId}:${e.reason}:${at.toISOString()}`, e);
}
