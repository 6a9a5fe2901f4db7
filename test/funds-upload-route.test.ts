import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { request } from "node:http";
import { createClient } from "@connectrpc/connect";
import { Role } from "@portal/api";
import { FundService, UploadStatus } from "@portal/api/funds/v1/funds";
import { IdentityService } from "@portal/api/identity/v1/identity";
import { createPrincipalSigner, generatePrincipalKey } from "@portal/runtime";
import { createTestDatabase, natsUp, postgresUp } from "@portal/test-kit";
import { parseWorkbook } from "@portal/workbook";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPortal, type TestPortal } from "./embedded-portal.js";
import { startGatewayStack } from "./service-process.js";

const ADMIN = { email: "root@platform.example", password: "bootstrap password 1" };
const MEMBER = { email: "analyst@acme.example", password: "analyst password 1" };
const VIEWER = { email: "reader@acme.example", password: "reader password 1" };
const LIMIT = 50 * 1024 * 1024;
const MiB = 1024 * 1024;

interface Answer {
  status: number;
  body: Record<string, unknown>;
  /** Bytes of the body the client had written when the answer came. */
  sent: number;
}

/**
 * Posts to the gateway with node:http, writing the body piece by piece (with back-pressure) and
 * stopping as soon as an answer arrives, as a browser does. Without `contentLength` the body is
 * sent chunked (no declared size).
 */
function post(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  pieces: Iterable<Uint8Array>,
  contentLength?: number,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(`${baseUrl}${path}`, {
      method: "POST",
      headers: {
        ...headers,
        "content-type": "application/octet-stream",
        ...(contentLength !== undefined ? { "content-length": String(contentLength) } : {}),
      },
    });
    req.on("response", (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(text) as Record<string, unknown>;
        } catch {
          body = { text };
        }
        resolve({ status: res.statusCode ?? 0, body, sent });
        req.destroy();
      });
    });
    req.on("error", (err) => {
      if (!answered) reject(err);
    });
    void (async () => {
      for (const p of pieces) {
        // A turn of the event loop between pieces, as a browser's network stack gives: a write that
        // the kernel takes at once drains on the next tick, so without it the loop could write the
        // whole body before the answer waiting on the socket is read.
        await new Promise<void>((r) => setImmediate(r));
        if (answered || req.destroyed) return;
        sent += p.byteLength;
        if (!req.write(p))
          await new Promise<void>((r) => {
            const done = () => {
              req.off("drain", done);
              req.off("close", done);
              r();
            };
            req.on("drain", done);
            req.on("close", done);
          });
      }
      if (!answered && !req.destroyed) req.end();
    })();
  });
}

/** A CSV workbook of three funds over 60 weeks. */
function csvWorkbook(): Uint8Array {
  const lines = ["Fund,Date,Contribution,Distribution,GP NAV"];
  for (let i = 0; i < 180; i++) {
    const date = new Date(Date.UTC(2019, 0, 4) + Math.floor(i / 3) * 7 * 86_400_000);
    lines.push(
      [
        `Route Fund ${i % 3}`,
        date.toISOString().slice(0, 10),
        i < 3 ? 500_000 + i : "",
        i === 90 ? 20_000 : "",
        i >= 177 ? 610_000 + i : "",
      ].join(","),
    );
  }
  return new TextEncoder().encode(lines.join("\n"));
}

function* pieces(bytes: Uint8Array, size: number, repeat = 1): Iterable<Uint8Array> {
  for (let r = 0; r < repeat; r++)
    for (let at = 0; at < bytes.byteLength; at += size) yield bytes.subarray(at, at + size);
}

/**
 * The browser's streamed upload route, `POST /api/uploads/workbook`, on the embedded portal over
 * real PostgreSQL: a member's session (cookie and CSRF header) uploads a raw body that the gateway
 * streams to the funds service's UploadWorkbookStream; the answer is the RPC's. A body past 50 MB
 * is refused with 413 as soon as it passes the limit, leaving the funds service's audit row; a
 * viewer, a call without the CSRF header and an anonymous one are refused before the body is read.
 */
describe.skipIf(!postgresUp())("the streamed browser upload route (embedded, PostgreSQL)", () => {
  let tp: TestPortal;
  let db: pg.Client;
  let drop: () => Promise<void>;
  let orgId: string;
  let member: { headers: Record<string, string> };
  let viewer: { headers: Record<string, string> };

  const uploads = async () =>
    (
      await db.query(
        `SELECT kind, filename, status, sha256, size_bytes, format, problems
           FROM funds.uploads WHERE org_id = $1 ORDER BY created_at, id`,
        [orgId],
      )
    ).rows;

  beforeAll(async () => {
    const t = await createTestDatabase();
    drop = t.drop;
    tp = await startTestPortal("portal-upload-route-", {
      DATABASE_URL: t.url,
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    });
    db = new pg.Client({ connectionString: t.url });
    await db.connect();
    const admin = await tp.login(ADMIN.email, ADMIN.password);
    const identity = createClient(IdentityService, tp.transport);
    const { organization } = await identity.createOrganization(
      { slug: "acme", name: "Acme" },
      admin,
    );
    orgId = organization?.id ?? "";
    for (const [u, role] of [
      [MEMBER, Role.MEMBER],
      [VIEWER, Role.VIEWER],
    ] as const) {
      await identity.createUser(
        { orgId, email: u.email, displayName: u.email, role, initialPassword: u.password },
        admin,
      );
    }
    member = await tp.login(MEMBER.email, MEMBER.password);
    viewer = await tp.login(VIEWER.email, VIEWER.password);
  });
  afterAll(async () => {
    await tp?.stop();
    await db?.end();
    await drop?.();
  });

  it("stores a streamed upload as the unary RPC does: same fund, version and data hash", async () => {
    const bytes = csvWorkbook();
    const r = await post(
      tp.baseUrl,
      "/api/uploads/workbook?filename=route.csv",
      member.headers,
      pieces(bytes, 1000),
      bytes.byteLength,
    );
    expect(r.status).toBe(200);
    expect(r.body.status).toBe("UPLOAD_STATUS_ACCEPTED");
    const funds = r.body.funds as {
      name: string;
      fundIdentityHash: string;
      versionNumber: number;
      dataHash: string;
      isNew: boolean;
    }[];
    expect(funds.map((f) => [f.name, f.versionNumber, f.isNew])).toEqual([
      ["Route Fund 0", 1, true],
      ["Route Fund 1", 1, true],
      ["Route Fund 2", 1, true],
    ]);
    expect(r.body.problems).toEqual([]);

    // The unary RPC with the same file finds the same data: same identities and data hashes.
    const unary = await createClient(FundService, tp.transport).uploadWorkbook(
      { filename: "route.csv", content: bytes },
      member,
    );
    expect(unary.status).toBe(UploadStatus.ACCEPTED);
    expect(unary.funds.map((f) => [f.fundIdentityHash, f.versionNumber, f.dataHash])).toEqual(
      funds.map((f) => [f.fundIdentityHash, f.versionNumber, f.dataHash]),
    );
    expect(unary.funds.every((f) => !f.isNew)).toBe(true);

    // Sent chunked (no Content-Length), the same again.
    const chunked = await post(
      tp.baseUrl,
      "/api/uploads/workbook?filename=route.csv",
      member.headers,
      pieces(bytes, 3000),
    );
    expect(chunked.status).toBe(200);
    expect((chunked.body.funds as { dataHash: string }[]).map((f) => f.dataHash)).toEqual(
      funds.map((f) => f.dataHash),
    );
    const rows = await uploads();
    expect(rows.map((x) => [x.filename, x.status, x.format, Number(x.size_bytes)])).toEqual([
      ["route.csv", "accepted", "csv", bytes.byteLength],
      ["route.csv", "accepted", "csv", bytes.byteLength],
      ["route.csv", "accepted", "csv", bytes.byteLength],
    ]);
    expect(new Set(rows.map((x) => x.sha256)).size).toBe(1);
  });

  it("answers a workbook's problems with sheet, row and column, and a wrong type with 415", async () => {
    const csv = [
      "Fund,Date,Contribution,Distribution,GP NAV",
      "Bad Fund,2020-01-10,abc,,",
      "Bad Fund,2020-02-10,-5,,",
    ].join("\n");
    const bad = new TextEncoder().encode(csv);
    const r = await post(
      tp.baseUrl,
      "/api/uploads/workbook?filename=bad.csv",
      member.headers,
      [bad],
      bad.byteLength,
    );
    expect(r.status).toBe(422);
    expect(r.body.status).toBe("UPLOAD_STATUS_REJECTED");
    expect(r.body.code).toBe("invalid_workbook");
    const problems = r.body.problems as { sheet: string; row: number; column: string }[];
    expect(problems.length).toBeGreaterThanOrEqual(2);
    expect(problems.map((p) => [p.sheet, p.row, p.column])).toContainEqual([
      "csv",
      2,
      "C (Contribution)",
    ]);

    const png = new Uint8Array(3 * MiB);
    png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
    const t = await post(
      tp.baseUrl,
      "/api/uploads/workbook?filename=photo.xlsx",
      member.headers,
      pieces(png, 64 * 1024),
      png.byteLength,
    );
    expect(t.status).toBe(415);
    expect(t.body).toMatchObject({
      code: "unsupported_type",
      error: "not an .xlsx workbook or a CSV text file (UTF-8)",
      status: "UPLOAD_STATUS_REJECTED",
    });
    const rows = await uploads();
    expect(rows.slice(-2).map((x) => [x.filename, x.status, x.sha256 === null])).toEqual([
      ["bad.csv", "rejected", false],
      ["photo.xlsx", "rejected", true],
    ]);
  });

  it("refuses a body past 50 MB with 413 as soon as it passes, leaving the audit row", async () => {
    const before = (await uploads()).length;
    const line = new TextEncoder().encode(
      `${"Fund,Date,Contribution,Distribution,GP NAV\n".padEnd(MiB - 1, " ")}\n`,
    );
    // 90 MiB offered chunked (no declared size): refused once the bytes pass 50 MB.
    const r = await post(
      tp.baseUrl,
      "/api/uploads/workbook?filename=huge.csv",
      member.headers,
      pieces(line, 64 * 1024, 90),
    );
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ code: "too_large" });
    expect(String(r.body.error)).toMatch(/the file is more than 52428800 bytes/);
    // The client stopped sending when the answer came: far less than the 90 MiB offered.
    expect(r.sent).toBeLessThan(70 * MiB);
    // Declared too large (Content-Length): refused before the body is read.
    const d = await post(
      tp.baseUrl,
      "/api/uploads/workbook?filename=declared.csv",
      member.headers,
      pieces(line, 64 * 1024, 60),
      60 * MiB,
    );
    expect(d.status).toBe(413);
    expect(String(d.body.error)).toMatch(/the file is 62914560 bytes; the limit is 52428800/);
    expect(d.sent).toBeLessThan(30 * MiB);

    const rows = (await uploads()).slice(before);
    expect(rows.map((x) => [x.kind, x.filename, x.status, x.sha256, x.format])).toEqual([
      ["workbook", "huge.csv", "rejected", null, null],
      ["workbook", "declared.csv", "rejected", null, null],
    ]);
    expect(Number(rows[0]?.size_bytes)).toBeGreaterThan(LIMIT);
    expect(Number(rows[0]?.size_bytes)).toBeLessThan(LIMIT + 2 * MiB);
    expect(Number(rows[1]?.size_bytes)).toBe(0);
    expect(JSON.stringify(rows[0]?.problems)).toContain("more than 52428800 bytes");
    // The portal still answers on a fresh connection.
    const ok = await fetch(`${tp.baseUrl}/healthz`);
    expect(ok.status).toBe(200);
  });

  it("stores nothing when the client goes away mid-upload, and keeps serving", async () => {
    const before = (await uploads()).length;
    const bytes = csvWorkbook();
    await new Promise<void>((resolve) => {
      const req = request(`${tp.baseUrl}/api/uploads/workbook?filename=gone.csv`, {
        method: "POST",
        headers: { ...member.headers, "content-length": String(bytes.byteLength) },
      });
      req.on("error", () => resolve());
      req.on("close", () => resolve());
      // Half the file, then the connection is dropped.
      req.write(bytes.subarray(0, bytes.byteLength >> 1), () =>
        setTimeout(() => req.destroy(), 100),
      );
    });
    // The funds service saw an abandoned stream: no upload record (docs/funds.md).
    const ok = await post(
      tp.baseUrl,
      "/api/uploads/workbook?filename=after.csv",
      member.headers,
      [bytes],
      bytes.byteLength,
    );
    expect(ok.status).toBe(200);
    expect((await uploads()).slice(before).map((x) => x.filename)).toEqual(["after.csv"]);
  });

  it("refuses a viewer, a session call without the CSRF header, and an anonymous caller", async () => {
    const before = (await uploads()).length;
    const bytes = csvWorkbook();
    const send = (headers: Record<string, string>) =>
      post(
        tp.baseUrl,
        "/api/uploads/workbook?filename=route.csv",
        headers,
        [bytes],
        bytes.byteLength,
      );
    const v = await send(viewer.headers);
    expect(v.status).toBe(403);
    expect(v.body).toMatchObject({ code: "permission_denied" });
    const { "x-csrf-token": _csrf, ...cookieOnly } = member.headers;
    const noCsrf = await send(cookieOnly);
    expect(noCsrf.status).toBe(403);
    expect(String(noCsrf.body.error)).toMatch(/x-csrf-token/);
    const wrongCsrf = await send({ ...member.headers, "x-csrf-token": "not-the-token" });
    expect(wrongCsrf.status).toBe(403);
    const anonymous = await send({});
    expect(anonymous.status).toBe(401);
    // A viewer holding a principal token is refused by the funds service itself.
    const token = await send((await tp.headers(Role.VIEWER, orgId)).headers);
    expect(token.status).toBe(403);
    expect(await uploads()).toHaveLength(before);
    // Other methods are not uploads.
    const get = await fetch(`${tp.baseUrl}/api/uploads/workbook`, { headers: member.headers });
    expect(get.status).toBe(405);
  });

  it("hands out the workbook template to a signed-in viewer, as an .xlsx that parses", async () => {
    const res = await fetch(`${tp.baseUrl}/api/uploads/workbook-template`, {
      headers: { cookie: viewer.headers.cookie ?? "" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe(
      'attachment; filename="portal-upload-template.xlsx"',
    );
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.subarray(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
    const parsed = await parseWorkbook(bytes, {
      knownSeries: new Set(["MSCI World", "Listed PE"]),
    });
    expect(parsed.ok).toBe(true);
    const anonymous = await fetch(`${tp.baseUrl}/api/uploads/workbook-template`);
    expect(anonymous.status).toBe(401);
  });
});

/**
 * The same route on a gateway in a process of its own, which calls a funds service in another
 * over gRPC (HTTP/2), as in the cluster: the body still streams through, and a body past 50 MB is
 * refused with 413 early, leaving the funds service's audit row.
 */
describe.skipIf(!postgresUp() || !natsUp())(
  "the upload route through a gateway and a funds service in processes of their own",
  () => {
    let drop: () => Promise<void>;
    let db: pg.Client;
    const procs: ChildProcess[] = [];
    let baseUrl: string;
    let sign: (orgId: string, role: Role) => Promise<string>;

    beforeAll(async () => {
      const t = await createTestDatabase();
      drop = t.drop;
      db = new pg.Client({ connectionString: t.url });
      await db.connect();
      const jwk = await generatePrincipalKey();
      const signer = await createPrincipalSigner(jwk);
      sign = (orgId, role) => signer.sign({ subject: `user-${role}`, orgId, role });
      const gatewayPort = await startGatewayStack(t.url, jwk, procs);
      baseUrl = `http://127.0.0.1:${gatewayPort}`;
    });
    afterAll(async () => {
      for (const p of procs) if (p.exitCode === null) p.kill("SIGKILL");
      await db?.end();
      await drop?.();
    });

    it("stores a streamed upload, and refuses one past 50 MB with 413 and its audit row", async () => {
      const org = randomUUID();
      const auth = { authorization: `Bearer ${await sign(org, Role.MEMBER)}` };
      const bytes = csvWorkbook();
      const ok = await post(
        baseUrl,
        "/api/uploads/workbook?filename=route.csv",
        auth,
        pieces(bytes, 1000),
      );
      expect(ok.status).toBe(200);
      expect((ok.body.funds as unknown[]).length).toBe(3);

      const line = new TextEncoder().encode(`${"Fund,Date\n".padEnd(MiB - 1, " ")}\n`);
      const big = await post(
        baseUrl,
        "/api/uploads/workbook?filename=big.csv",
        auth,
        pieces(line, 64 * 1024, 90),
      );
      expect(big.status).toBe(413);
      expect(String(big.body.error)).toMatch(/the file is more than 52428800 bytes/);
      expect(big.sent).toBeLessThan(70 * MiB);
      const viewer = await post(
        baseUrl,
        "/api/uploads/workbook?filename=route.csv",
        { authorization: `Bearer ${await sign(org, Role.VIEWER)}` },
        [bytes],
        bytes.byteLength,
      );
      expect(viewer.status).toBe(403);
      const rows = (
        await db.query(
          "SELECT filename, status, sha256 IS NULL AS no_hash FROM funds.uploads WHERE org_id = $1 ORDER BY created_at",
          [org],
        )
      ).rows;
      expect(rows).toEqual([
        { filename: "route.csv", status: "accepted", no_hash: false },
        { filename: "big.csv", status: "rejected", no_hash: true },
      ]);
    });
  },
);
