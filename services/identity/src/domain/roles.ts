import { Role } from "@portal/api";
import { InvalidInput } from "./errors.js";

/** The roles a user can hold, as stored in identity.users.role. */
export type UserRole = "viewer" | "member" | "org_admin" | "super_admin";

const toRole: Record<UserRole, Role> = {
  viewer: Role.VIEWER,
  member: Role.MEMBER,
  org_admin: Role.ORG_ADMIN,
  super_admin: Role.SUPER_ADMIN,
};

export function roleOf(stored: string): Role {
  const r = toRole[stored as UserRole];
  if (r === undefined) throw new Error(`stored role ${JSON.stringify(stored)} is unknown`);
  return r;
}

/** A role a user may be given (not PUBLIC, SERVICE or UNSPECIFIED). */
export function parseUserRole(field: string, role: Role): UserRole {
  const found = (Object.entries(toRole) as [UserRole, Role][]).find(([, r]) => r === role);
  if (!found) {
    throw new InvalidInput(field, "must be one of viewer, member, org_admin, super_admin");
  }
  return found[0];
}
