import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { create, toJsonString } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { minRoleOf, Role, serviceNames, services } from "@portal/api";
import { IdentityService } from "@portal/api/identity/v1/identity";
import { RunService } from "@portal/api/runs/v1/runs";
import type { Embedded } from "@portal/embedded";
import { startEmbedded } from "@portal/embedded";
import type { Principal } from "@portal/runtime";
import { createPrincipalSigner, embeddedKeys, hasRole, roleName } from "@portal/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ADMIN = { email: "root@platform.example", password: "bootstrap password 1" };

interface Caller {
  name: string;
  principal?: Principal;
  /** For the other organisation's admin: requests name the target organisation's ids. */
  foreign?: boolean;
}

const rpcs = serviceNames.flatMap((svc) =>
  services[svc].methods.map((m) => ({ svc, desc: services[svc] as DescService, m })),
);

/**
 * Calls every RPC of every service through the gateway as each kind of caller and checks the
 * answer against the role the RPC declares: a caller below it is refused (Unauthenticated when
 * anonymous, PermissionDenied otherwise), a caller at or above it gets past authorisation. The
 * other organisation's admin names the target organisation's ids in every field that takes one,
 * and must neither see nor change anything of it.
 */
describe("authorisation matrix: every RPC, every kind of caller", () => {
  let dataDir: string;
  let portal: Embedded;
  let transport: ReturnType<typeof createConnectTransport>;
  let sign: (p: Principal) => Promise<string>;
  const ids = { orgId: "", userId: "", apiKeyId: "", configId: "" };
  let callers: Caller[];
  let snapshotTarget: () => Promise<string>;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "portal-matrix-"));
    portal = await startEmbedded({
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      LOG_LEVEL: "silent",
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    });
    transport = createConnectTransport({
      baseUrl: `http://127.0.0.1:${portal.port}/api`,
      httpVersion: "1.1",
    });
    const signer = await createPrincipalSigner((await embeddedKeys(dataDir)).principalJwk);
    sign = (p) => signer.sign(p);
    const as = async (p: Principal) => ({
      headers: { authorization: `Bearer ${await sign(p)}` },
    });
    const root: Principal = { subject: "root", orgId: "", role: Role.SUPER_ADMIN };
    const id = createClient(IdentityService, transport);
    const org = async (slug: string) =>
      (await id.createOrganization({ slug, name: slug }, await as(root))).organization?.id ?? "";
    const acme = await org("acme");
    const globex = await org("globex");
    const user = async (orgId: string, email: string, role: Role) =>
      (await id.createUser({ orgId, email, displayName: email, role }, await as(root))).user?.id ??
      "";
    const acmeAdmin = await user(acme, "admin@acme.example", Role.ORG_ADMIN);
    ids.orgId = acme;
    ids.userId = await user(acme, "target@acme.example", Role.MEMBER);
    const key = await id.createApiKey(
      { name: "target", role: Role.VIEWER },
      await as({ subject: acmeAdmin, orgId: acme, role: Role.ORG_ADMIN }),
    );
    ids.apiKeyId = key.apiKey?.id ?? "";
    const acmeAsAdmin = await as({ subject: acmeAdmin, orgId: acme, role: Role.ORG_ADMIN });
    const runs = createClient(RunService, transport);
    const config = await runs.createModelConfig(
      { name: "target", configJson: '{"windows":"last"}' },
      acmeAsAdmin,
    );
    ids.configId = config.config?.configId ?? "";
    const globexAdmin = await user(globex, "admin@globex.example", Role.ORG_ADMIN);
    callers = [
      { name: "anonymous" },
      { name: "viewer", principal: { subject: ids.userId, orgId: acme, role: Role.VIEWER } },
      { name: "member", principal: { subject: ids.userId, orgId: acme, role: Role.MEMBER } },
      { name: "org_admin", principal: { subject: acmeAdmin, orgId: acme, role: Role.ORG_ADMIN } },
      { name: "super_admin", principal: root },
      {
        name: "another organisation's admin",
        principal: { subject: globexAdmin, orgId: globex, role: Role.ORG_ADMIN },
        foreign: true,
      },
    ];
    snapshotTarget = async () => {
      const o = await id.getOrganization({ orgId: acme }, await as(root));
      const u = await id.listUsers({ orgId: acme }, await as(root));
      const k = await id.listApiKeys({ orgId: acme }, await as(root));
      const c = await runs.getModelConfigHistory({ configId: ids.configId }, acmeAsAdmin);
      return JSON.stringify([o, u, k, c]);
    };
  });
  afterAll(async () => {
    await portal?.stop(1000);
    await rm(dataDir, { recursive: true, force: true });
  });

  /** A request naming the target organisation's ids wherever the message has such a field. */
  const requestFor = (m: DescMethod) => {
    const init: Record<string, string> = {};
    for (const f of m.input.fields) {
      const v = ids[f.localName as keyof typeof ids];
      if (v !== undefined) init[f.localName] = v;
    }
    return create(m.input, init as never);
  };

  /** The messages of a client stream: its request (a header first, where the message has one). */
  async function* streamOf(m: DescMethod): AsyncIterable<unknown> {
    const header = m.input.oneofs[0]?.fields.find((f) => f.localName === "header");
    if (header?.message)
      yield create(m.input, {
        part: { case: "header", value: create(header.message, { filename: "matrix.csv" }) },
      } as never);
    else yield requestFor(m);
  }

  async function call(svc: DescService, m: DescMethod, caller: Caller) {
    const client = createClient(svc, transport) as unknown as Record<
      string,
      (req: unknown, opts: unknown) => Promise<unknown> | AsyncIterable<unknown>
    >;
    const headers: Record<string, string> = {};
    if (caller.principal) headers.authorization = `Bearer ${await sign(caller.principal)}`;
    const fn = client[m.localName];
    if (!fn) throw new Error(`no client method ${m.localName}`);
    try {
      // A client stream sends one message: for UploadWorkbookStream a header naming a file and no
      // chunks, so that a caller past authorisation is answered by the handler (an empty file: a
      // rejected upload, of which only the audit record is stored).
      const r =
        m.methodKind === "client_streaming"
          ? fn(streamOf(m), { headers })
          : fn(requestFor(m), { headers });
      const out: unknown[] = [];
      if (m.methodKind === "server_streaming") {
        for await (const x of r as AsyncIterable<unknown>) out.push(x);
      } else {
        out.push(await r);
      }
      return { code: "OK", body: out.map((x) => toJsonString(m.output, x as never)).join() };
    } catch (e) {
      return { code: Code[ConnectError.from(e).code] as string, body: "" };
    }
  }

  it("covers every RPC with a declared role", () => {
    expect(rpcs.length).toBeGreaterThan(serviceNames.length);
    for (const { m } of rpcs) expect(minRoleOf(m), m.name).not.toBe(Role.UNSPECIFIED);
    // Client streams are in the matrix too (bidi streams are not offered).
    const streamed = rpcs.filter(({ m }) => m.methodKind === "client_streaming");
    expect(streamed.map(({ m }) => m.name)).toContain("UploadWorkbookStream");
    expect(rpcs.filter(({ m }) => m.methodKind === "bidi_streaming")).toEqual([]);
  });

  it("refuses another organisation's admin everything of the target organisation", async () => {
    const before = await snapshotTarget();
    const foreign = callers.find((c) => c.foreign) as Caller;
    const leaks: string[] = [];
    for (const { desc, m } of rpcs) {
      if (m.methodKind === "bidi_streaming") continue;
      const r = await call(desc, m, foreign);
      for (const [k, v] of Object.entries(ids)) {
        if (k !== "orgId" || m.name !== "GetServiceInfo") {
          if (r.body.includes(v))
            leaks.push(`${m.parent.name}/${m.name} returned the target's ${k}`);
        }
      }
    }
    expect(leaks).toEqual([]);
    expect(await snapshotTarget()).toBe(before);
  });

  it("allows and refuses exactly as the declared roles say", async () => {
    const wrong: string[] = [];
    for (const caller of callers.filter((c) => !c.foreign)) {
      for (const { desc, m } of rpcs) {
        if (m.methodKind === "bidi_streaming") continue;
        const min = minRoleOf(m);
        const { code } = await call(desc, m, caller);
        const allowed = caller.principal
          ? hasRole(caller.principal.role, min)
          : min === Role.PUBLIC;
        const refused = code === "Unauthenticated" || code === "PermissionDenied";
        const expected = allowed
          ? "past authorisation"
          : caller.principal
            ? "PermissionDenied"
            : "Unauthenticated";
        const ok = allowed ? !refused : code === expected;
        if (!ok) {
          wrong.push(
            `${caller.name} → ${m.parent.name}/${m.name} (min ${roleName(min)}): got ${code}, expected ${expected}`,
          );
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
