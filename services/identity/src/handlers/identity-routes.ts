import type { ConnectRouter, HandlerContext } from "@connectrpc/connect";
import { Role } from "@portal/api";
import { AccessEvent, IdentityService } from "@portal/api/identity/v1/identity";
import type { Database, EventBus, ServiceContext } from "@portal/runtime";
import { requirePrincipal, serviceInfo } from "@portal/runtime";
import { authenticateApiKey, createApiKey, listApiKeys, revokeApiKey } from "../domain/api-keys.js";
import { listAccessLogs, listAdminLogs } from "../domain/audit-logs.js";
import { changePassword } from "../domain/change-password.js";
import { InvalidInput } from "../domain/errors.js";
import { acceptInvitation, createInvitation } from "../domain/invitations.js";
import { loginWithPassword } from "../domain/login.js";
import { verifySecondFactor } from "../domain/login-second-factor.js";
import type { Mailer } from "../domain/mailer.js";
import {
  confirmTotpEnrollment,
  disableTotp,
  resetUserTotp,
  startTotpEnrollment,
  totpStatus,
} from "../domain/mfa.js";
import { loginWithOidc } from "../domain/oidc-login.js";
import {
  createOrganization,
  deactivateOrganization,
  getOrganization,
  listOrganizations,
  updateOrganization,
} from "../domain/organizations.js";
import { recordAccess, requestPasswordReset, resetPassword } from "../domain/password-reset.js";
import type { PasswordParams } from "../domain/passwords.js";
import { roleOf } from "../domain/roles.js";
import type { SecretBox } from "../domain/secret-box.js";
import { publishUserChanged } from "../domain/user-events.js";
import { createUser, deactivateUser, listUsers, updateUser } from "../domain/users.js";
import { parsePageSize, parsePageToken, parseUuid } from "../domain/validate.js";
import {
  accessLogToProto,
  adminLogToProto,
  apiKeyToProto,
  invitationToProto,
  organizationToProto,
  userToProto,
} from "./convert.js";
import { mapped } from "./errors.js";

export interface IdentityDeps {
  db: Database;
  now: () => Date;
  passwordParams: PasswordParams;
  mailer: Mailer;
  bus: EventBus;
  /** Encrypts TOTP secrets; unset: TOTP enrolment is refused as not configured. */
  secretBox?: SecretBox | undefined;
  /** Where users reach the portal (invitation links). */
  publicBaseUrl: string;
}

function page(req: { pageSize: number; pageToken: string }) {
  const limit = parsePageSize("page_size", req.pageSize);
  const offset = parsePageToken("page_token", req.pageToken);
  return { limit, offset };
}

const nextToken = (p: { limit: number; offset: number }, n: number) =>
  n === p.limit ? String(p.offset + n) : "";

/** The identity RPCs: translate the request, delegate to domain/, translate the answer. */
export const identityRoutes =
  (ctx: ServiceContext, deps: IdentityDeps) => (router: ConnectRouter) =>
    router.service(IdentityService, {
      getServiceInfo: async () => ({ info: await serviceInfo(ctx) }),

      createOrganization: (req, h: HandlerContext) =>
        mapped(async () => {
          const o = await createOrganization(deps.db, requirePrincipal(h), req, deps.now());
          return { organization: organizationToProto(o) };
        }),
      listOrganizations: (req, h) =>
        mapped(async () => {
          const p = page(req);
          const rows = await listOrganizations(deps.db, requirePrincipal(h), p);
          return {
            organizations: rows.map(organizationToProto),
            nextPageToken: nextToken(p, rows.length),
          };
        }),
      getOrganization: (req, h) =>
        mapped(async () => {
          const actor = requirePrincipal(h);
          const o = await getOrganization(deps.db, actor, req.orgId || actor.orgId);
          return { organization: organizationToProto(o) };
        }),
      updateOrganization: (req, h) =>
        mapped(async () => {
          const actor = requirePrincipal(h);
          const o = await updateOrganization(
            deps.db,
            actor,
            req.orgId || actor.orgId,
            { name: req.name, branding: req.branding },
            deps.now(),
          );
          return { organization: organizationToProto(o) };
        }),
      deactivateOrganization: (req, h) =>
        mapped(async () => {
          const o = await deactivateOrganization(
            deps.db,
            requirePrincipal(h),
            req.orgId,
            deps.now(),
          );
          return { organization: organizationToProto(o) };
        }),

      createUser: (req, h) =>
        mapped(async () => {
          const actor = requirePrincipal(h);
          const u = await createUser(deps, actor, {
            orgId: req.orgId || actor.orgId,
            email: req.email,
            displayName: req.displayName,
            role: req.role,
            initialPassword: req.initialPassword,
          });
          return { user: userToProto(u) };
        }),
      listUsers: (req, h) =>
        mapped(async () => {
          const actor = requirePrincipal(h);
          const p = page(req);
          const rows = await listUsers(deps.db, actor, req.orgId || actor.orgId, p);
          return { users: rows.map(userToProto), nextPageToken: nextToken(p, rows.length) };
        }),
      updateUser: (req, h) =>
        mapped(async () => {
          const u = await updateUser(deps, requirePrincipal(h), req);
          if (req.role !== Role.UNSPECIFIED) {
            await publishUserChanged(
              deps.bus,
              { orgId: u.orgId, userId: u.id, reason: "role_changed" },
              u.updatedAt,
            );
          }
          return { user: userToProto(u) };
        }),
      deactivateUser: (req, h) =>
        mapped(async () => {
          const u = await deactivateUser(deps, requirePrincipal(h), req.userId);
          await publishUserChanged(
            deps.bus,
            { orgId: u.orgId, userId: u.id, reason: "deactivated" },
            u.updatedAt,
          );
          return { user: userToProto(u) };
        }),

      createApiKey: (req, h) =>
        mapped(async () => {
          const actor = requirePrincipal(h);
          const { key, row } = await createApiKey(deps, actor, {
            orgId: req.orgId || actor.orgId,
            name: req.name,
            role: req.role,
            expiresInDays: req.expiresInDays,
          });
          return { key, apiKey: apiKeyToProto(row) };
        }),
      listApiKeys: (req, h) =>
        mapped(async () => {
          const actor = requirePrincipal(h);
          const rows = await listApiKeys(deps.db, actor, req.orgId || actor.orgId);
          return { apiKeys: rows.map(apiKeyToProto) };
        }),
      revokeApiKey: (req, h) =>
        mapped(async () => {
          const row = await revokeApiKey(deps, requirePrincipal(h), req.apiKeyId);
          return { apiKey: apiKeyToProto(row) };
        }),
      authenticateApiKey: (req) =>
        mapped(async () => {
          const k = await authenticateApiKey(deps, req.key);
          return { apiKeyId: k.id, orgId: k.orgId, role: roleOf(k.role) };
        }),

      changePassword: (req) =>
        mapped(async () => {
          await changePassword(deps, req);
          return {};
        }),

      recordAccess: (req) =>
        mapped(async () => {
          if (req.event !== AccessEvent.LOGOUT) throw new InvalidInput("event", "must be LOGOUT");
          await recordAccess(
            deps.db,
            {
              orgId: parseUuid("org_id", req.orgId),
              userId: parseUuid("user_id", req.userId),
              event: "logout",
            },
            deps.now(),
          );
          return {};
        }),
      requestPasswordReset: (req) =>
        mapped(async () => {
          await requestPasswordReset(deps, req);
          return {};
        }),
      resetPassword: (req) => mapped(() => resetPassword(deps, req)),

      verifyPassword: (req) =>
        mapped(async () => {
          const r = await loginWithPassword(deps, req);
          if ("mfaToken" in r) return { mfaToken: r.mfaToken };
          return { userId: r.userId, orgId: r.orgId, role: roleOf(r.role) };
        }),
      verifySecondFactor: (req) =>
        mapped(async () => {
          const r = await verifySecondFactor(deps, req);
          return { userId: r.userId, orgId: r.orgId, role: roleOf(r.role) };
        }),

      startTotpEnrollment: (_req, h) =>
        mapped(() => startTotpEnrollment(deps, requirePrincipal(h))),
      confirmTotpEnrollment: (req, h) =>
        mapped(async () => ({
          recoveryCodes: await confirmTotpEnrollment(deps, requirePrincipal(h), req),
        })),
      getTotpStatus: (_req, h) => mapped(() => totpStatus(deps, requirePrincipal(h))),
      disableTotp: (req, h) =>
        mapped(async () => {
          await disableTotp(deps, requirePrincipal(h), req);
          return {};
        }),

      resetUserTotp: (req, h) =>
        mapped(async () => ({ removed: await resetUserTotp(deps, requirePrincipal(h), req) })),

      createInvitation: (req, h) =>
        mapped(async () => {
          const actor = requirePrincipal(h);
          const inv = await createInvitation(deps, actor, {
            orgId: req.orgId || actor.orgId,
            email: req.email,
            role: req.role,
            displayName: req.displayName,
          });
          return { invitation: invitationToProto(inv) };
        }),
      acceptInvitation: (req) =>
        mapped(async () => {
          const r = await acceptInvitation(deps, req);
          return { userId: r.userId, orgId: r.orgId, role: roleOf(r.role) };
        }),
      authenticateOidc: (req) =>
        mapped(async () => {
          const r = await loginWithOidc(deps, req);
          return { userId: r.userId, orgId: r.orgId, role: roleOf(r.role) };
        }),

      listAccessLogs: (req, h) =>
        mapped(async () => {
          const actor = requirePrincipal(h);
          const r = await listAccessLogs(deps.db, actor, {
            ...req,
            orgId: req.orgId || actor.orgId,
          });
          return { entries: r.rows.map(accessLogToProto), nextPageToken: r.nextPageToken };
        }),
      listAdminLogs: (req, h) =>
        mapped(async () => {
          const actor = requirePrincipal(h);
          const r = await listAdminLogs(deps.db, actor, {
            ...req,
            orgId: req.orgId || actor.orgId,
          });
          return { entries: r.rows.map(adminLogToProto), nextPageToken: r.nextPageToken };
        }),
    });
