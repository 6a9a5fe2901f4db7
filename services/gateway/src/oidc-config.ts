import { ConfigError } from "@portal/runtime";

/** How the gateway reaches an OpenID provider (AWS Cognito in production, any provider works). */
export interface OidcConfig {
  /** The issuer; its /.well-known/openid-configuration is read at the first login. */
  issuerUrl: string;
  clientId: string;
  /** Empty: a public client (PKCE only, no client authentication). */
  clientSecret: string;
  /** Where the provider sends the browser back: this gateway's /auth/oidc/callback. */
  redirectUrl: string;
}

const isLoopback = (u: URL) => ["localhost", "127.0.0.1", "[::1]"].includes(u.hostname);

/**
 * Reads OIDC_ISSUER_URL, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and OIDC_REDIRECT_URL. None set: OIDC
 * login is off (undefined). Some set: a ConfigError naming what is missing or wrong, so a half
 * configuration never starts. Plain http is accepted only for a loopback issuer (development).
 */
export function parseOidcEnv(
  env: Record<string, string | undefined>,
  publicBaseUrl: string,
): OidcConfig | undefined {
  const get = (k: string) => (env[k] ?? "").trim();
  const issuerUrl = get("OIDC_ISSUER_URL");
  const clientId = get("OIDC_CLIENT_ID");
  if (!issuerUrl && !clientId && !get("OIDC_CLIENT_SECRET") && !get("OIDC_REDIRECT_URL")) {
    return undefined;
  }
  const redirectUrl =
    get("OIDC_REDIRECT_URL") || `${publicBaseUrl.replace(/\/$/, "")}/auth/oidc/callback`;
  const problems: { variable: string; message: string }[] = [];
  const url = (variable: string, value: string) => {
    if (!value) return problems.push({ variable, message: "is required when OIDC is configured" });
    try {
      const u = new URL(value);
      if (u.protocol !== "https:" && !(u.protocol === "http:" && isLoopback(u))) {
        problems.push({ variable, message: "must be an https URL (http only for localhost)" });
      }
    } catch {
      problems.push({ variable, message: `${JSON.stringify(value)} is not a URL` });
    }
  };
  url("OIDC_ISSUER_URL", issuerUrl);
  url("OIDC_REDIRECT_URL", redirectUrl);
  if (!clientId) {
    problems.push({ variable: "OIDC_CLIENT_ID", message: "is required when OIDC is configured" });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { issuerUrl, clientId, clientSecret: get("OIDC_CLIENT_SECRET"), redirectUrl };
}

/** True when the OpenID client may talk plain http to the issuer (loopback development only). */
export const isInsecureLoopback = (issuerUrl: string) => {
  const u = new URL(issuerUrl);
  return u.protocol === "http:" && isLoopback(u);
};
