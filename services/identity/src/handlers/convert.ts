import { create } from "@bufbuild/protobuf";
import { Role } from "@portal/api";
import type {
  AccessLogEntry,
  AdminLogEntry,
  ApiKey,
  Invitation,
  Organization,
  User,
} from "@portal/api/identity/v1/identity";
import {
  AccessLogEntrySchema,
  AdminLogEntrySchema,
  ApiKeySchema,
  BrandingSchema,
  InvitationSchema,
  OrganizationSchema,
  OrganizationStatus,
  UserSchema,
  UserStatus,
} from "@portal/api/identity/v1/identity";
import type { ApiKeyRow } from "../domain/api-keys.js";
import type { AccessLogRow, AdminLogRow } from "../domain/audit-logs.js";
import type { InvitationRow } from "../domain/invitations.js";
import type { OrganizationRow } from "../domain/organizations.js";
import { roleOf } from "../domain/roles.js";
import type { UserRow } from "../domain/users.js";

export function organizationToProto(o: OrganizationRow): Organization {
  return create(OrganizationSchema, {
    id: o.id,
    slug: o.slug,
    name: o.name,
    branding: create(BrandingSchema, o.branding),
    status: o.status === "active" ? OrganizationStatus.ACTIVE : OrganizationStatus.DEACTIVATED,
  });
}

export function userToProto(u: UserRow): User {
  return create(UserSchema, {
    id: u.id,
    orgId: u.orgId,
    email: u.email,
    displayName: u.displayName,
    role: roleOf(u.role),
    status:
      u.status === "active"
        ? UserStatus.ACTIVE
        : u.status === "invited"
          ? UserStatus.INVITED
          : UserStatus.DEACTIVATED,
  });
}

const iso = (d: Date | null) => (d ? d.toISOString() : "");

export function apiKeyToProto(k: ApiKeyRow): ApiKey {
  return create(ApiKeySchema, {
    id: k.id,
    orgId: k.orgId,
    name: k.name,
    prefix: k.prefix,
    role: roleOf(k.role),
    createdAt: iso(k.createdAt),
    expiresAt: iso(k.expiresAt),
    lastUsedAt: iso(k.lastUsedAt),
    revokedAt: iso(k.revokedAt),
  });
}

export function invitationToProto(i: InvitationRow): Invitation {
  return create(InvitationSchema, {
    id: i.id,
    orgId: i.orgId,
    userId: i.userId,
    email: i.email,
    role: roleOf(i.role),
    expiresAt: iso(i.expiresAt),
  });
}

export function accessLogToProto(a: AccessLogRow): AccessLogEntry {
  return create(AccessLogEntrySchema, {
    id: BigInt(a.id),
    at: iso(a.at),
    orgId: a.orgId ?? "",
    subject: a.subject ?? "",
    event: a.event,
    detail: a.detail ?? "",
  });
}

// The admin log records any actor's role by name, services included.
const actorRoles: Record<string, Role> = {
  viewer: Role.VIEWER,
  member: Role.MEMBER,
  org_admin: Role.ORG_ADMIN,
  super_admin: Role.SUPER_ADMIN,
  service: Role.SERVICE,
};
const json = (v: unknown) => (v === null || v === undefined ? "" : JSON.stringify(v));

export function adminLogToProto(a: AdminLogRow): AdminLogEntry {
  return create(AdminLogEntrySchema, {
    id: BigInt(a.id),
    at: iso(a.at),
    orgId: a.orgId ?? "",
    actorSubject: a.actorSubject,
    actorOrgId: a.actorOrgId,
    actorRole: actorRoles[a.actorRole] ?? Role.UNSPECIFIED,
    action: a.action,
    targetType: a.targetType,
    targetId: a.targetId,
    beforeJson: json(a.before),
    afterJson: json(a.after),
  });
}
