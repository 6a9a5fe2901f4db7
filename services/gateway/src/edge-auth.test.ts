import { createHash } from "node:crypto";
import type { Interceptor, UnaryRequest } from "@connectrpc/connect";
import { Code, ConnectError, createContextValues } from "@connectrpc/connect";
import { Role } from "@portal/api";
import { GatewayService } from "@portal/api/gateway/v1/gateway";
import type { Principal } from "@portal/runtime";
import {
  createLocalPrincipalVerifier,
  createPrincipalSigner,
  generatePrincipalKey,
  PRINCIPAL_HEADER,
} from "@portal/runtime";
import { beforeAll, describe, expect, it } from "vitest";
import type { Session } from "./domain/sessions.js";
import { createEdgeAuth } from "./edge-auth.js";

const orgId = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";

describe("edge authentication", () => {
  let interceptor: Interceptor;
  let verify: (t: string) => Promise<Principal>;
  let csrfHash: string;
  beforeAll(async () => {
    const signer = await createPrincipalSigner(await generatePrincipalKey());
    verify = (t) => createLocalPrincipalVerifier(signer.jwks).verify(t);
    csrfHash = createHash("sha256").update("good-csrf").digest("hex");
    const session: Session = { id: "s", userId: "u1", orgId, role: "member", csrfHash };
    interceptor = createEdgeAuth({
      signer,
      findSession: async (t) => (t === "good" ? session : undefined),
      authenticateApiKey: async (k) => {
        if (k === "sk_live_good") return { apiKeyId: "k1", orgId, role: Role.VIEWER };
        throw new ConnectError("API key revoked", Code.Unauthenticated);
      },
    });
  });

  /** Runs the interceptor on a request with `headers`; returns the principal it forwarded. */
  async function run(headers: Record<string, string>, method = "POST") {
    let forwarded: string | null = null;
    const req = {
      stream: false,
      service: GatewayService,
      method: GatewayService.method.getCaller,
      requestMethod: method,
      url: "http://gw/api",
      signal: new AbortController().signal,
      header: new Headers(headers),
      contextValues: createContextValues(),
      message: {},
    } as unknown as UnaryRequest;
    await interceptor(async (r) => {
      forwarded = r.header.get(PRINCIPAL_HEADER);
      return {} as never;
    })(req);
    return forwarded === null ? null : await verify(forwarded);
  }
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => "ok",
      (e) => `${Code[ConnectError.from(e).code]}: ${ConnectError.from(e).rawMessage}`,
    );

  it("turns an API key into a principal for its organisation and role", async () => {
    expect(await run({ authorization: "Bearer sk_live_good" })).toEqual({
      subject: "key:k1",
      orgId,
      role: Role.VIEWER,
    });
    expect(await refusal(run({ authorization: "Bearer sk_live_bad" }))).toBe(
      "Unauthenticated: API key revoked",
    );
  });

  it("turns a session cookie plus its CSRF token into the user's principal", async () => {
    const p = await run({ cookie: "portal_session=good", "x-csrf-token": "good-csrf" });
    expect(p).toEqual({ subject: "u1", orgId, role: Role.MEMBER });
    expect(await refusal(run({ cookie: "portal_session=good" }))).toMatch(/^PermissionDenied/);
    expect(await refusal(run({ cookie: "portal_session=good", "x-csrf-token": "bad" }))).toMatch(
      /^PermissionDenied/,
    );
    expect(await refusal(run({ cookie: "portal_session=stale" }))).toBe(
      "Unauthenticated: session expired or signed out",
    );
  });

  it("drops a principal header sent from outside and refuses unknown Authorization schemes", async () => {
    expect(await run({ [PRINCIPAL_HEADER]: "forged" })).toBeNull();
    expect(await refusal(run({ authorization: "Basic Zm9vOmJhcg==" }))).toBe(
      "Unauthenticated: unsupported Authorization header",
    );
  });
});
