import { Role } from "@portal/api";
import { describe, expect, it } from "vitest";
import {
  createLocalPrincipalVerifier,
  createPrincipalSigner,
  generatePrincipalKey,
  hasRole,
  PRINCIPAL_TOKEN_TTL_SECONDS,
} from "./principal.js";

const alice = {
  subject: "user-1",
  orgId: "9b2a3c1e-0000-4000-8000-000000000001",
  role: Role.MEMBER,
};

describe("principal tokens", () => {
  it("round-trips a principal", async () => {
    const signer = await createPrincipalSigner(await generatePrincipalKey());
    const verifier = createLocalPrincipalVerifier(signer.jwks);
    expect(await verifier.verify(await signer.sign(alice))).toEqual(alice);
  });

  it("refuses an expired token", async () => {
    let now = 1_800_000_000_000;
    const signer = await createPrincipalSigner(await generatePrincipalKey(), () => now);
    const token = await signer.sign(alice);
    now += (PRINCIPAL_TOKEN_TTL_SECONDS + 1) * 1000;
    const verifier = createLocalPrincipalVerifier(signer.jwks, () => now);
    await expect(verifier.verify(token)).rejects.toThrow(/exp/);
  });

  it("refuses a token signed by another key", async () => {
    const signer = await createPrincipalSigner(await generatePrincipalKey());
    const other = await createPrincipalSigner(await generatePrincipalKey());
    const verifier = createLocalPrincipalVerifier(signer.jwks);
    await expect(verifier.verify(await other.sign(alice))).rejects.toThrow();
  });

  it("refuses a tampered payload", async () => {
    const signer = await createPrincipalSigner(await generatePrincipalKey());
    const [h, p, s] = (await signer.sign(alice)).split(".");
    const claims = JSON.parse(Buffer.from(p ?? "", "base64url").toString());
    claims.role = "super_admin";
    const forged = [h, Buffer.from(JSON.stringify(claims)).toString("base64url"), s].join(".");
    await expect(createLocalPrincipalVerifier(signer.jwks).verify(forged)).rejects.toThrow();
  });

  it("publishes no private key material", async () => {
    const signer = await createPrincipalSigner(await generatePrincipalKey());
    expect(Object.keys(signer.jwks.keys[0] ?? {})).not.toContain("d");
  });
});

describe("hasRole", () => {
  it("orders viewer < member < org_admin < super_admin", () => {
    expect(hasRole(Role.MEMBER, Role.VIEWER)).toBe(true);
    expect(hasRole(Role.VIEWER, Role.MEMBER)).toBe(false);
    expect(hasRole(Role.ORG_ADMIN, Role.SUPER_ADMIN)).toBe(false);
    expect(hasRole(Role.SUPER_ADMIN, Role.ORG_ADMIN)).toBe(true);
  });

  it("refuses everyone on an RPC that declared no role", () => {
    expect(hasRole(Role.SUPER_ADMIN, Role.UNSPECIFIED)).toBe(false);
    expect(hasRole(Role.SERVICE, Role.UNSPECIFIED)).toBe(false);
  });

  it("keeps service-only RPCs from users", () => {
    expect(hasRole(Role.SUPER_ADMIN, Role.SERVICE)).toBe(false);
    expect(hasRole(Role.SERVICE, Role.SERVICE)).toBe(true);
  });
});
