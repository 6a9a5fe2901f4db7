import { Role } from "@portal/api";
import type { JSONWebKeySet, JWK, JWTVerifyGetKey } from "jose";
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
} from "jose";

/** Who is calling: the verified identity every RPC acts for. */
export interface Principal {
  /** The user (or API key, or service) id. */
  readonly subject: string;
  /** The organisation whose data the call may touch; empty for platform services. */
  readonly orgId: string;
  readonly role: Role;
}

const ISSUER = "portal-identity";
const AUDIENCE = "portal-services";
const ALG = "RS256";
/** Principal tokens live one minute: long enough for one call chain, too short to be worth stealing. */
export const PRINCIPAL_TOKEN_TTL_SECONDS = 60;

const roleNames: Record<string, Role> = {
  viewer: Role.VIEWER,
  member: Role.MEMBER,
  org_admin: Role.ORG_ADMIN,
  super_admin: Role.SUPER_ADMIN,
  service: Role.SERVICE,
};

export function roleName(role: Role): string {
  return Object.entries(roleNames).find(([, r]) => r === role)?.[0] ?? "none";
}

/**
 * True when `role` may call an RPC whose minimum is `min`. Roles are ordered
 * viewer < member < org_admin < super_admin; the service role stands for the platform itself and
 * passes every check, which is why only identity can mint it.
 */
export function hasRole(role: Role, min: Role): boolean {
  if (min === Role.UNSPECIFIED) return false;
  if (min === Role.PUBLIC) return true;
  if (role === Role.SERVICE) return true;
  if (min === Role.SERVICE) return false;
  return role >= min;
}

export interface PrincipalSigner {
  sign(p: Principal): Promise<string>;
  readonly jwks: JSONWebKeySet;
}

export interface PrincipalVerifier {
  /** Returns the principal, or throws when the token is missing its claims, expired or forged. */
  verify(token: string): Promise<Principal>;
}

/** Creates an RS256 key pair for principal tokens; the private half as a JWK for configuration. */
export async function generatePrincipalKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, alg: ALG, use: "sig", kid: `principal-${Date.now().toString(36)}` };
}

export async function createPrincipalSigner(
  privateJwk: JWK,
  now: () => number = Date.now,
): Promise<PrincipalSigner> {
  const key = await importJWK(privateJwk, ALG);
  const publicJwk = { kty: privateJwk.kty, n: privateJwk.n, e: privateJwk.e };
  const kid = privateJwk.kid ?? "principal";
  return {
    jwks: { keys: [{ ...publicJwk, alg: ALG, use: "sig", kid }] },
    async sign(pr) {
      const iat = Math.floor(now() / 1000);
      return new SignJWT({ org: pr.orgId, role: roleName(pr.role) })
        .setProtectedHeader({ alg: ALG, kid })
        .setSubject(pr.subject)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(iat)
        .setExpirationTime(iat + PRINCIPAL_TOKEN_TTL_SECONDS)
        .sign(key);
    },
  };
}

function verifierFromKeys(keys: JWTVerifyGetKey, now: () => number): PrincipalVerifier {
  return {
    async verify(token) {
      const { payload } = await jwtVerify(token, keys, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: [ALG],
        currentDate: new Date(now()),
      });
      const role = typeof payload.role === "string" ? roleNames[payload.role] : undefined;
      if (!payload.sub || typeof payload.org !== "string" || role === undefined) {
        throw new Error("principal token lacks sub, org or a known role");
      }
      return { subject: payload.sub, orgId: payload.org, role };
    },
  };
}

/** Verifies against a key set held in memory (embedded mode, tests). */
export function createLocalPrincipalVerifier(
  jwks: JSONWebKeySet,
  now: () => number = Date.now,
): PrincipalVerifier {
  return verifierFromKeys(createLocalJWKSet(jwks), now);
}

/** Verifies against identity's published JWKS, fetched and cached by jose. */
export function createRemotePrincipalVerifier(
  url: string,
  now: () => number = Date.now,
): PrincipalVerifier {
  return verifierFromKeys(createRemoteJWKSet(new URL(url)), now);
}
