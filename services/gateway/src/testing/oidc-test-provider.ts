import type { KeyObject } from "node:crypto";
import { createSign, generateKeyPairSync, randomUUID } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

/** A person the test provider knows. */
export interface TestAccount {
  email: string;
  emailVerified?: boolean;
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The account the next login at the provider signs in as (what a user would type). */
  signInAs(account: TestAccount): void;
  /** Signs a JWT with the provider's own key (to forge tokens that carry a valid signature). */
  sign(payload: Record<string, unknown>): string;
  /**
   * Rewrites the id_token of the next token response (a man in the middle, or a provider bug);
   * `undefined` stops rewriting.
   */
  rewriteIdToken(fn: ((idToken: string) => string) | undefined): void;
  close(): Promise<void>;
}

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

/**
 * A real OpenID provider (oidc-provider) on a loopback port, for tests: one confidential client
 * with the given redirect URI, PKCE required, RS256 id_tokens carrying email and email_verified.
 * Its login and consent prompts are answered by the provider's own interaction API for the account
 * chosen with `signInAs`, the way a custom login page would, so a test drives the whole code flow
 * over HTTP without parsing HTML forms.
 */
export async function startTestOidcProvider(redirectUri: string): Promise<TestOidcProvider> {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = randomUUID();
  const jwk = {
    ...(privateKey as KeyObject).export({ format: "jwk" }),
    kid,
    alg: "RS256",
    use: "sig",
  };
  const server: Server = createServer();
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = "portal-test";
  const clientSecret = `secret-${randomUUID()}`;
  let account: TestAccount = { email: "nobody@example.com" };
  let rewrite: ((idToken: string) => string) | undefined;
  const accounts = new Map<string, TestAccount>();

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: [randomUUID()] },
    pkce: { required: () => true },
    claims: { openid: ["sub"], email: ["email", "email_verified"] },
    // Put the email in the id_token itself, as Cognito does, rather than only at userinfo.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    findAccount: async (_ctx: unknown, sub: string) => {
      const a = accounts.get(sub);
      if (!a) return undefined;
      return {
        accountId: sub,
        claims: async () => ({ sub, email: a.email, email_verified: a.emailVerified ?? true }),
      };
    },
  });
  const handle = provider.callback();

  async function interaction(req: IncomingMessage, res: ServerResponse) {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === "login") {
      const sub = `sub-${account.email}`;
      accounts.set(sub, account);
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: sub } },
        {
          mergeWithLastSubmission: false,
        },
      );
      return;
    }
    // Consent: grant exactly what the client asked for.
    const accountId = details.session?.accountId ?? "";
    const grant =
      (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ??
      new provider.Grant({ accountId, clientId });
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { consent: { grantId } },
      {
        mergeWithLastSubmission: true,
      },
    );
  }

  server.on("request", (req, res) => {
    if ((req.url ?? "").startsWith("/interaction/")) {
      interaction(req, res).catch((err: Error) => {
        res.statusCode = 500;
        res.end(err.message);
      });
      return;
    }
    if (rewrite && req.method === "POST" && req.url === "/token") tamper(res, rewrite);
    handle(req, res);
  });

  return {
    issuer,
    clientId,
    clientSecret,
    signInAs(a) {
      account = a;
    },
    rewriteIdToken(fn) {
      rewrite = fn;
    },
    sign(payload) {
      const input = `${b64url({ alg: "RS256", typ: "JWT", kid })}.${b64url(payload)}`;
      const sig = createSign("RSA-SHA256").update(input).sign(privateKey).toString("base64url");
      return `${input}.${sig}`;
    },
    close: () =>
      new Promise<void>((ok, fail) => {
        server.closeAllConnections();
        server.close((err) => (err ? fail(err) : ok()));
      }),
  };
}

/** Rewrites the id_token in a JSON token response as the provider ends it. */
function tamper(res: ServerResponse, fn: (idToken: string) => string) {
  const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
  res.end = ((chunk?: unknown) => {
    if (!chunk) return end(chunk);
    const body = JSON.parse(Buffer.from(chunk as Buffer).toString("utf8")) as { id_token?: string };
    if (body.id_token) body.id_token = fn(body.id_token);
    const text = JSON.stringify(body);
    res.setHeader("content-length", Buffer.byteLength(text));
    return end(text);
  }) as typeof res.end;
}
