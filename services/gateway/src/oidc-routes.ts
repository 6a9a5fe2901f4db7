import { Code, ConnectError } from "@connectrpc/connect";
import type { HttpRequest, HttpResponse, HttpRoutes, Logger } from "@portal/runtime";
import { sendJson } from "@portal/runtime";
import * as oidc from "openid-client";
import { readCookie, SESSION_COOKIE, sessionCookies } from "./cookies.js";
import type { Session, SessionUser } from "./domain/sessions.js";
import { SESSION_TTL_MS } from "./domain/sessions.js";
import type { OidcConfig } from "./oidc-config.js";
import { isInsecureLoopback } from "./oidc-config.js";

export const OIDC_START_PATH = "/auth/oidc/start";
export const OIDC_CALLBACK_PATH = "/auth/oidc/callback";
/** Carries state, nonce and PKCE verifier from start to callback, in this browser only. */
export const OIDC_COOKIE = "portal_oidc";
const OIDC_COOKIE_MAX_AGE = 600;
const SCOPE = "openid email profile";

/** The claims identity needs from a verified id_token. */
export interface OidcClaims {
  issuer: string;
  subject: string;
  email: string;
  emailVerified: boolean;
}

export interface OidcRouteDeps {
  /** Asks identity to log in the user the claims name; throws ConnectError when refused. */
  authenticate(claims: OidcClaims): Promise<SessionUser>;
  createSession(user: SessionUser): Promise<{ token: string; csrf: string; expiresAt: Date }>;
  findSession(token: string): Promise<Session | undefined>;
  revokeSession(session: Session): Promise<void>;
  log: Logger;
}

interface Pending {
  state: string;
  nonce: string;
  verifier: string;
}

// SameSite=Lax, not Strict: the provider's redirect back is a cross-site navigation, and a Strict
// cookie would not come with it. Scoped to the OIDC paths and short-lived.
const pendingCookie = (value: string, maxAge: number) =>
  `${OIDC_COOKIE}=${value}; HttpOnly; Path=/auth/oidc; Secure; SameSite=Lax; Max-Age=${maxAge}`;

function readPending(req: HttpRequest): Pending | undefined {
  const raw = readCookie(req.headers.cookie, OIDC_COOKIE);
  if (!raw) return undefined;
  try {
    const p = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as Partial<Pending>;
    if (
      typeof p.state === "string" &&
      typeof p.nonce === "string" &&
      typeof p.verifier === "string"
    ) {
      return { state: p.state, nonce: p.nonce, verifier: p.verifier };
    }
  } catch {}
  return undefined;
}

/**
 * OIDC login (authorisation code with PKCE). `GET /auth/oidc/start` redirects to the provider
 * with a fresh state, nonce and S256 code challenge, which a short-lived httpOnly cookie keeps for
 * the callback. `GET /auth/oidc/callback` checks the state against that cookie, exchanges the code
 * (sending the verifier), and has openid-client verify the id_token: signature against the
 * provider's JWKS, issuer, audience, expiry and nonce. Identity then matches the user by
 * lower-cased email and admits only active or invited users; the browser gets a fresh session
 * and is sent to `/`. Without configuration both paths answer 404.
 */
export function oidcRoutes(cfg: OidcConfig | undefined, deps: OidcRouteDeps): HttpRoutes {
  let discovered: Promise<oidc.Configuration> | undefined;
  const configuration = (c: OidcConfig) => {
    discovered ??= oidc
      .discovery(
        new URL(c.issuerUrl),
        c.clientId,
        c.clientSecret || undefined,
        c.clientSecret ? undefined : oidc.None(),
        {
          // Verify the id_token's signature against the provider's JWKS even though it came
          // straight from the token endpoint (openid-client would otherwise rely on TLS alone).
          execute: [
            oidc.enableNonRepudiationChecks,
            ...(isInsecureLoopback(c.issuerUrl) ? [oidc.allowInsecureRequests] : []),
          ],
        },
      )
      .catch((err) => {
        discovered = undefined; // try again at the next login
        throw err;
      });
    return discovered;
  };

  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://gateway");
    if (
      req.method !== "GET" ||
      (url.pathname !== OIDC_START_PATH && url.pathname !== OIDC_CALLBACK_PATH)
    ) {
      return false;
    }
    res.setHeader("cache-control", "no-store");
    if (!cfg) {
      sendJson(res, 404, { error: "single sign-on (OIDC) is not configured on this portal" });
      return true;
    }
    let conf: oidc.Configuration;
    try {
      conf = await configuration(cfg);
    } catch (err) {
      deps.log.error({ err, issuer: cfg.issuerUrl }, "OIDC discovery failed");
      sendJson(res, 503, { error: "the identity provider cannot be reached; try again later" });
      return true;
    }
    if (url.pathname === OIDC_START_PATH) {
      const pending: Pending = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        verifier: oidc.randomPKCECodeVerifier(),
      };
      const target = oidc.buildAuthorizationUrl(conf, {
        redirect_uri: cfg.redirectUrl,
        scope: SCOPE,
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
        code_challenge_method: "S256",
      });
      const value = Buffer.from(JSON.stringify(pending)).toString("base64url");
      res.setHeader("set-cookie", pendingCookie(value, OIDC_COOKIE_MAX_AGE));
      res.writeHead(302, { location: target.href });
      res.end();
      return true;
    }
    return callback(req, res, url, conf, cfg, deps);
  };
}

async function callback(
  req: HttpRequest,
  res: HttpResponse,
  url: URL,
  conf: oidc.Configuration,
  cfg: OidcConfig,
  deps: OidcRouteDeps,
): Promise<true> {
  const cleared = pendingCookie("", 0);
  const fail = (status: number, error: string) => {
    res.setHeader("set-cookie", cleared);
    sendJson(res, status, { error });
    return true as const;
  };
  const pending = readPending(req);
  if (!pending) {
    return fail(
      400,
      "no OIDC login is in progress in this browser (expired or cookies blocked): start again",
    );
  }
  if (url.searchParams.get("state") !== pending.state) {
    return fail(400, "the OIDC state does not match this browser's login: start again");
  }
  let claims: oidc.IDToken | undefined;
  try {
    const current = new URL(cfg.redirectUrl);
    current.search = url.search;
    const tokens = await oidc.authorizationCodeGrant(conf, current, {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    claims = tokens.claims();
  } catch (err) {
    // The reason only: openid-client's error causes can carry the tokens themselves.
    const reason = reasonOf(err);
    deps.log.warn({ reason }, "OIDC callback refused");
    return fail(401, `the identity provider's answer was refused: ${reason}`);
  }
  if (!claims) return fail(401, "the identity provider sent no id_token");
  let user: SessionUser;
  try {
    user = await deps.authenticate({
      issuer: claims.iss,
      subject: claims.sub,
      email: typeof claims.email === "string" ? claims.email : "",
      // Some providers send the boolean as a string.
      emailVerified: claims.email_verified === true || claims.email_verified === "true",
    });
  } catch (err) {
    if (!(err instanceof ConnectError)) throw err;
    const status =
      err.code === Code.Unauthenticated ? 403 : err.code === Code.InvalidArgument ? 400 : 0;
    if (!status) throw err;
    return fail(status, err.rawMessage);
  }
  const old = readCookie(req.headers.cookie, SESSION_COOKIE);
  const current = old ? await deps.findSession(old) : undefined;
  if (current) await deps.revokeSession(current);
  const s = await deps.createSession(user);
  res.setHeader("set-cookie", [
    ...sessionCookies(s.token, s.csrf, Math.floor(SESSION_TTL_MS / 1000)),
    cleared,
  ]);
  res.writeHead(303, { location: "/" });
  res.end();
  return true;
}

/** The error's message and its cause's (openid-client puts the specific check in the cause). */
function reasonOf(err: unknown): string {
  const parts: string[] = [];
  for (let e = err; e instanceof Error && parts.length < 3; e = e.cause) {
    if (!parts.includes(e.message)) parts.push(e.message);
  }
  return parts.join(": ") || "invalid answer";
}
