import { fileURLToPath } from "node:url";
import type { ServiceDefinition } from "@portal/runtime";
import type { Mailer } from "./domain/mailer.js";
import { noMailer } from "./domain/mailer.js";
import type { PasswordParams } from "./domain/passwords.js";
import { PRODUCTION_PASSWORD_PARAMS } from "./domain/passwords.js";
import { createSecretBox } from "./domain/secret-box.js";
import { identityRoutes } from "./handlers/identity-routes.js";

export interface IdentityOptions {
  /** The clock; tests inject a fixed one. */
  now?: () => Date;
  /** argon2id cost; production defaults, tests inject cheaper ones. */
  passwordParams?: PasswordParams;
  /** Sends password reset and invitation mail; without one, those requests fail loudly. */
  mailer?: Mailer;
  /** 32-byte key that encrypts TOTP secrets at rest; without one, TOTP enrolment is refused. */
  mfaEncryptionKey?: Uint8Array | undefined;
  /** Base URL users reach the portal at (invitation links); default http://localhost:8080. */
  publicBaseUrl?: string | undefined;
}

const MIGRATIONS = fileURLToPath(new URL("../migrations", import.meta.url));

/** The identity service: organisations, users, roles, logins (password + TOTP, OIDC), API keys and the JWKS of principal tokens. */
export function createIdentityService(opts: IdentityOptions = {}): ServiceDefinition {
  return {
    name: "identity",
    migrations: MIGRATIONS,
    routes: (ctx) =>
      identityRoutes(ctx, {
        db: ctx.platform.db,
        now: opts.now ?? (() => new Date()),
        passwordParams: opts.passwordParams ?? PRODUCTION_PASSWORD_PARAMS,
        mailer: opts.mailer ?? noMailer,
        bus: ctx.platform.bus,
        secretBox: opts.mfaEncryptionKey ? createSecretBox(opts.mfaEncryptionKey) : undefined,
        publicBaseUrl: opts.publicBaseUrl ?? "http://localhost:8080",
      }),
  };
}

export const identityService: ServiceDefinition = createIdentityService();
export { bootstrapSuperAdmin, PLATFORM_ORG_ID, PLATFORM_ORG_SLUG } from "./domain/bootstrap.js";
export type { Mail, Mailer } from "./domain/mailer.js";
export { createOutboxMailer } from "./domain/mailer.js";
export type { PasswordParams } from "./domain/passwords.js";
export { PRODUCTION_PASSWORD_PARAMS } from "./domain/passwords.js";
export { parseSecretBoxKey } from "./domain/secret-box.js";
export type { UserChanged } from "./domain/user-events.js";
export { USER_CHANGED } from "./domain/user-events.js";
export { JWKS_PATH, jwksRoutes } from "./jwks.js";
