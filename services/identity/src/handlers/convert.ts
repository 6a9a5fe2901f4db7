import { create } from "@bufbuild/protobuf";
import type { ApiKey, Organization, User } from "@portal/api/identity/v1/identity";
import {
  ApiKeySchema,
  BrandingSchema,
  OrganizationSchema,
  OrganizationStatus,
  UserSchema,
  UserStatus,
} from "@portal/api/identity/v1/identity";
import type { ApiKeyRow } from "../domain/api-keys.js";
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
    status: u.status === "active" ? UserStatus.ACTIVE : UserStatus.DEACTIVATED,
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
