import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client, Interceptor, Transport } from "@connectrpc/connect";
import { Code, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { Role } from "@portal/api";
import type { UploadWorkbookStreamRequest } from "@portal/api/funds/v1/funds";
import { FundService, UploadStatus } from "@portal/api/funds/v1/funds";
import type { Embedded } from "@portal/embedded";
import { startEmbedded } from "@portal/embedded";
import { createPrincipalSigner, generatePrincipalKey } from "@portal/runtime";
import {
  createTestDatabase,
  natsUp,
  postgresUp,
  realServices,
  TEST_S3_CREDENTIALS,
} from "@portal/test-kit";
import { workbookTemplate } from "@portal/workbook";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGatewayStack } from "./service-process.js";

/** The documented upload limit: 50 MB. */
const LIMIT = 50 * 1024 * 1024;
const MiB = 1024 * 1024;

type Msg = { part: UploadWorkbookStreamRequest["part"] };

/**
 * The messages of a streamed upload: the header, then `chunks` pieces of `chunkSize` bytes of
 * `bytes` (repeated as needed). `pulled` counts the chunks the transport has taken, to show that
 * a refused upload is not read to its end.
 */
function stream(
  filename: string,
  bytes: Uint8Array,
  opts: { chunkSize?: number; repeat?: number; sizeBytes?: number } = {},
) {
  const chunkSize = opts.chunkSize ?? 64 * 1024;
  const counter = { pulled: 0, total: 0 };
  const pieces: Uint8Array[] = [];
  for (let r = 0; r < (opts.repeat ?? 1); r++)
    for (let at = 0; at < bytes.byteLength; at += chunkSize)
      pieces.push(bytes.subarray(at, at + chunkSize));
  counter.total = pieces.length;
  async function* messages(): AsyncIterable<Msg> {
    yield {
      part: {
        case: "header",
        value: { filename, sizeBytes: BigInt(opts.sizeBytes ?? 0) } as never,
      },
    };
    for (const p of pieces) {
      counter.pulled++;
      yield { part: { case: "chunk", value: p } };
    }
  }
  return { messages, counter };
}

/** A CSV workbook of four funds over 100 weeks (about 20 kB: several chunks). */
function csvWorkbook(nav = 2_430_000): Uint8Array {
  const lines = ["Fund,Date,Contribution,Distribution,GP NAV"];
  for (let i = 0; i < 400; i++) {
    const date = new Date(Date.UTC(2015, 0, 2) + Math.floor(i / 4) * 7 * 86_400_000);
    lines.push(
      [
        `Fund ${i % 4}`,
        date.toISOString().slice(0, 10),
        i < 4 ? 1_000_000 + i : "",
        "",
        i >= 396 ? nav + i : "",
      ].join(","),
    );
  }
  return new TextEncoder().encode(lines.join("\n"));
}

/** The template's Market sheet names these series; an admin uploads them first. */
const templateSeries = new TextEncoder().encode(
  [
    "Date,MSCI World,Listed PE",
    ...Array.from(
      { length: 30 },
      (_, i) =>
        `${new Date(Date.UTC(2020, 0, 3) + i * 7 * 86_400_000).toISOString().slice(0, 10)},0.2%,0.3%`,
    ),
  ].join("\n"),
);

describe.skipIf(!postgresUp())("streamed uploads through the gateway (PostgreSQL, S3)", () => {
  let dataDir: string;
  let portal: Embedded;
  let db: pg.Client;
  let drop: () => Promise<void>;
  let signer: Awaited<ReturnType<typeof createPrincipalSigner>>;
  let baseUrl: string;

  const interceptor =
    (role: Role, orgId: string): Interceptor =>
    (next) =>
    async (req) => {
      req.header.set(
        "authorization",
        `Bearer ${await signer.sign({ subject: `user-${role}`, orgId, role })}`,
      );
      return next(req);
    };
  /** Connect over HTTP/1.1 and gRPC over HTTP/2: both carry a request stream. */
  const transports: Record<string, (role: Role, orgId: string) => Transport> = {
    "Connect, HTTP/1.1": (role, orgId) =>
      createConnectTransport({
        baseUrl,
        httpVersion: "1.1",
        interceptors: [interceptor(role, orgId)],
      }),
    "gRPC, HTTP/2": (role, orgId) =>
      createGrpcTransport({ baseUrl, interceptors: [interceptor(role, orgId)] }),
  };
  /** The organisation's upload audit records, oldest first (read as the database owner). */
  const uploads = async (orgId: string) =>
    (
      await db.query(
        `SELECT kind, filename, status, sha256, size_bytes, format, problems, raw_key
           FROM funds.uploads WHERE org_id = $1 ORDER BY created_at, id`,
        [orgId],
      )
    ).rows;
  const versionCount = async (orgId: string) =>
    Number(
      (
        await db.query("SELECT count(*) AS n FROM funds.fund_data_versions WHERE org_id = $1", [
          orgId,
        ])
      ).rows[0]?.n,
    );
  beforeAll(async () => {
    const t = await createTestDatabase();
    drop = t.drop;
    dataDir = await mkdtemp(join(tmpdir(), "portal-stream-"));
    // The S3 client reads its credentials from the process environment.
    process.env.AWS_ACCESS_KEY_ID = TEST_S3_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = TEST_S3_CREDENTIALS.secretAccessKey;
    portal = await startEmbedded({
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      LOG_LEVEL: "silent",
      DATABASE_URL: t.url,
      S3_BUCKET: "portal-test",
      S3_ENDPOINT: realServices.s3Endpoint ?? "",
      S3_FORCE_PATH_STYLE: "true",
    });
    db = new pg.Client({ connectionString: t.url });
    await db.connect();
    signer = await createPrincipalSigner(
      JSON.parse(await readFile(join(dataDir, "keys", "principal.jwk.json"), "utf8")),
    );
    baseUrl = `http://127.0.0.1:${portal.port}/api`;
  });
  afterAll(async () => {
    await portal?.stop(1000);
    await db?.end();
    await drop?.();
    await rm(dataDir, { recursive: true, force: true });
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
  });

  for (const [name, transportOf] of Object.entries(transports)) {
    const as = (role: Role, orgId: string): Client<typeof FundService> =>
      createClient(FundService, transportOf(role, orgId));

    describe(name, () => {
      it("stores a streamed workbook as the unary upload does: same version, same data hash", async () => {
        const org = randomUUID();
        const bytes = csvWorkbook();
        const s = stream("q1.csv", bytes, { chunkSize: 4096 });
        expect(s.counter.total).toBeGreaterThan(1);
        const streamed = await as(Role.MEMBER, org).uploadWorkbookStream(s.messages());
        expect(streamed.status).toBe(UploadStatus.ACCEPTED);
        expect(streamed.funds).toHaveLength(4);
        expect(streamed.funds.every((f) => f.isNew && f.versionNumber === 1)).toBe(true);
        const unary = await as(Role.MEMBER, org).uploadWorkbook({
          filename: "q1.csv",
          content: bytes,
        });
        expect(unary.funds.map((f) => [f.fundIdentityHash, f.dataHash, f.versionNumber])).toEqual(
          streamed.funds.map((f) => [f.fundIdentityHash, f.dataHash, f.versionNumber]),
        );
        expect(unary.funds.every((f) => !f.isNew)).toBe(true);
        // With the size declared in the header, the same again.
        const declared = await as(Role.MEMBER, org).uploadWorkbookStream(
          stream("q1.csv", bytes, { sizeBytes: bytes.byteLength }).messages(),
        );
        expect(declared.funds.map((f) => f.dataHash)).toEqual(
          streamed.funds.map((f) => f.dataHash),
        );
        const rows = await uploads(org);
        expect(rows.map((r) => [r.status, r.format, Number(r.size_bytes)])).toEqual([
          ["accepted", "csv", bytes.byteLength],
          ["accepted", "csv", bytes.byteLength],
          ["accepted", "csv", bytes.byteLength],
        ]);
        expect(new Set(rows.map((r) => r.sha256)).size).toBe(1);
        expect(rows[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
      });

      it("refuses a file over 50 MB as soon as it passes the limit, leaving only the audit row", async () => {
        const org = randomUUID();
        const line = new TextEncoder().encode(
          `${"Fund,Date,Contribution,Distribution,GP NAV\n".padEnd(MiB - 1, " ")}\n`,
        );
        // 80 chunks of 1 MiB: 80 MiB offered, refused after 51.
        const s = stream("big.csv", line, { chunkSize: MiB, repeat: 80 });
        const err = await as(Role.MEMBER, org)
          .uploadWorkbookStream(s.messages())
          .catch((e: unknown) => e);
        expect(err).toMatchObject({ code: Code.InvalidArgument });
        expect((err as Error).message).toMatch(
          /the file is more than 52428800 bytes \(refused after 53477376\); the limit is 52428800 \(50 MB\)/,
        );
        // The client was not made to send the rest (a few chunks may be in flight).
        expect(s.counter.pulled).toBeLessThan(70);
        const rows = await uploads(org);
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({
          kind: "workbook",
          filename: "big.csv",
          status: "rejected",
          sha256: null,
          format: null,
          raw_key: null,
        });
        expect(Number(rows[0]?.size_bytes)).toBe(51 * MiB);
        expect(JSON.stringify(rows[0]?.problems)).toContain("more than 52428800 bytes");
        expect(await versionCount(org)).toBe(0);

        // A header that declares too much is refused before any chunk is read.
        const d = stream("big.csv", line, { chunkSize: MiB, repeat: 60, sizeBytes: 60 * MiB });
        const early = await as(Role.MEMBER, org)
          .uploadWorkbookStream(d.messages())
          .catch((e: unknown) => e);
        expect((early as Error).message).toMatch(
          /the file is 62914560 bytes; the limit is 52428800/,
        );
        expect(d.counter.pulled).toBeLessThan(10);
        expect((await uploads(org)).map((r) => [r.status, Number(r.size_bytes)])).toEqual([
          ["rejected", 51 * MiB],
          ["rejected", 0],
        ]);
      });

      it("tells the type by content: an .xlsx named .txt is taken, a PNG named .xlsx is refused early", async () => {
        const org = randomUUID();
        await as(Role.ORG_ADMIN, org).uploadMarketSeries({
          filename: "m.csv",
          content: templateSeries,
        });
        const xlsx = await workbookTemplate();
        const ok = await as(Role.MEMBER, org).uploadWorkbookStream(
          stream("export.txt", xlsx, { chunkSize: 1024 }).messages(),
        );
        expect(ok.problems).toEqual([]);
        expect(ok.status).toBe(UploadStatus.ACCEPTED);
        expect(ok.funds.map((f) => f.name)).toEqual(["Example Buyout Fund I"]);

        const png = new Uint8Array(20 * MiB);
        png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
        const s = stream("fund data.xlsx", png, { chunkSize: 64 * 1024 });
        const refused = await as(Role.MEMBER, org).uploadWorkbookStream(s.messages());
        expect(refused.status).toBe(UploadStatus.REJECTED);
        expect(refused.problems.map((p) => [p.sheet, p.message])).toEqual([
          ["(file)", "not an .xlsx workbook or a CSV text file (UTF-8)"],
        ]);
        expect(refused.uploadId).toMatch(/^[0-9a-f-]{36}$/);
        // Refused on its first 4 kB: what was sent beyond is what the connection buffered.
        expect(s.counter.pulled).toBeLessThan(s.counter.total / 2);
        const rows = await uploads(org);
        expect(rows.map((r) => [r.kind, r.filename, r.status, r.format])).toEqual([
          ["market_series", "m.csv", "accepted", "csv"],
          ["workbook", "export.txt", "accepted", "xlsx"],
          ["workbook", "fund data.xlsx", "rejected", null],
        ]);
        expect(await versionCount(org)).toBe(1);
      });

      it("lets a viewer read but not upload, and wants the header first", async () => {
        const org = randomUUID();
        const viewer = await as(Role.VIEWER, org)
          .uploadWorkbookStream(stream("x.csv", new Uint8Array([0x41])).messages())
          .catch((e: unknown) => e);
        expect(viewer).toMatchObject({ code: Code.PermissionDenied });
        async function* noHeader(): AsyncIterable<Msg> {
          yield { part: { case: "chunk", value: new Uint8Array([0x41]) } };
        }
        const headless = await as(Role.MEMBER, org)
          .uploadWorkbookStream(noHeader())
          .catch((e: unknown) => e);
        expect(headless).toMatchObject({ code: Code.InvalidArgument });
        expect((headless as Error).message).toMatch(/first message .* header/);
        expect(await uploads(org)).toEqual([]);
      });
    });
  }

  it("records a unary upload over 50 MB before refusing it", async () => {
    const org = randomUUID();
    const client = createClient(
      FundService,
      transports["Connect, HTTP/1.1"]?.(Role.MEMBER, org) as Transport,
    );
    const err = await client
      .uploadWorkbook({ filename: "big.csv", content: new Uint8Array(LIMIT + 1).fill(0x41) })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: Code.InvalidArgument });
    expect((err as Error).message).toMatch(/the file is 52428801 bytes; the limit is 52428800/);
    expect((await uploads(org)).map((r) => [r.status, Number(r.size_bytes), r.sha256])).toEqual([
      ["rejected", LIMIT + 1, null],
    ]);
  });
});

describe.skipIf(!postgresUp() || !natsUp())(
  "a streamed upload through a gateway and a funds service in processes of their own",
  () => {
    let drop: () => Promise<void>;
    let db: pg.Client;
    const procs: ChildProcess[] = [];
    let client: (orgId: string) => Client<typeof FundService>;

    beforeAll(async () => {
      const t = await createTestDatabase();
      drop = t.drop;
      db = new pg.Client({ connectionString: t.url });
      await db.connect();
      const jwk = await generatePrincipalKey();
      const signer = await createPrincipalSigner(jwk);
      const gatewayPort = await startGatewayStack(t.url, jwk, procs);
      client = (orgId) =>
        createClient(
          FundService,
          createGrpcTransport({
            baseUrl: `http://127.0.0.1:${gatewayPort}/api`,
            interceptors: [
              (next) => async (req) => {
                req.header.set(
                  "authorization",
                  `Bearer ${await signer.sign({ subject: "member", orgId, role: Role.MEMBER })}`,
                );
                return next(req);
              },
            ],
          }),
        );
    });
    afterAll(async () => {
      for (const p of procs) if (p.exitCode === null) p.kill("SIGKILL");
      await db?.end();
      await drop?.();
    });

    it("stores a streamed workbook, and refuses an oversized one early with only its audit row", async () => {
      const org = randomUUID();
      const bytes = csvWorkbook();
      const ok = await client(org).uploadWorkbookStream(
        stream("q1.csv", bytes, { chunkSize: 4096 }).messages(),
      );
      expect(ok.status).toBe(UploadStatus.ACCEPTED);
      expect(ok.funds).toHaveLength(4);

      const line = new TextEncoder().encode(`${"Fund,Date\n".padEnd(MiB - 1, " ")}\n`);
      const s = stream("big.csv", line, { chunkSize: MiB, repeat: 80 });
      const err = await client(org)
        .uploadWorkbookStream(s.messages())
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: Code.InvalidArgument });
      expect((err as Error).message).toMatch(/the file is more than 52428800 bytes/);
      expect(s.counter.pulled).toBeLessThan(70);
      const rows = (
        await db.query(
          "SELECT filename, status, sha256 IS NULL AS no_hash FROM funds.uploads WHERE org_id = $1 ORDER BY created_at",
          [org],
        )
      ).rows;
      expect(rows).toEqual([
        { filename: "q1.csv", status: "accepted", no_hash: false },
        { filename: "big.csv", status: "rejected", no_hash: true },
      ]);
    });
  },
);
