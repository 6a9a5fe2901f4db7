import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";
import { evergreenIdentityHash, evergreenSubfundHash, fundIdentityHash } from "@portal/hashing";
import type { Database, ObjectStore } from "@portal/runtime";
import { createLocalStore, createS3Store, openDatabase, rowsOf } from "@portal/runtime";
import {
  createTestDatabase,
  postgresUp,
  realServices,
  TEST_S3_CREDENTIALS,
} from "@portal/test-kit";
import { sql } from "drizzle-orm";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineEvergreen, EvergreenRejected, listEvergreen } from "./evergreen.js";
import { fundEvents, fundSeries, fundVersions } from "./fund-history.js";
import { fundPerformance } from "./fund-performance.js";
import { listFunds } from "./list-funds.js";
import { marketConfigHistory, setMarketConfig } from "./market-config.js";
import { listMarketSeries, storeMarketSeries } from "./market-series.js";
import type { UploadOutcome } from "./store-upload.js";
import { storeUpload } from "./store-upload.js";

const MIGRATIONS = fileURLToPath(new URL("../../migrations", import.meta.url));
const utc = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));

/** A workbook of two funds; `nav` changes Buyout I's data, `market` adds a Market sheet. */
async function workbook(nav = 2_430_000, market?: string[][]): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet("Data").addRows([
    ["Fund", "Date", "Contribution", "Distribution", "GP NAV"],
    ["Buyout I", utc(2020, 1, 15), 2_500_000, null, null],
    ["Buyout I", utc(2020, 3, 31), null, 500_000, nav],
    ["Growth II", utc(2020, 2, 3), 1_000_000, null, null],
    ["Growth II", utc(2020, 6, 30), null, null, 1_100_000],
  ]);
  if (market)
    wb.addWorksheet("Market").addRows([["Fund", "Market series", "Comparable series"], ...market]);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

/** Weekly returns on Fridays from 2019-12-27 for `weeks` weeks, as a CSV of the documented format. */
function seriesCsv(names: string[], weeks: number, rate = (_i: number) => 0.002): Uint8Array {
  const lines = [`Date,${names.join(",")}`];
  for (let i = 0; i < weeks; i++) {
    const d = new Date(Date.UTC(2019, 11, 27) + i * 7 * 86_400_000).toISOString().slice(0, 10);
    lines.push(`${d},${names.map(() => rate(i)).join(",")}`);
  }
  return new TextEncoder().encode(lines.join("\n"));
}

const accepted = (r: UploadOutcome) => {
  if (r.status !== "accepted") throw new Error(`rejected: ${JSON.stringify(r.problems)}`);
  return r;
};

type Impl = {
  name: string;
  up: () => boolean;
  open: () => Promise<{ db: Database; drop: () => Promise<void> }>;
};
const impls: Impl[] = [
  {
    name: "pglite",
    up: () => true,
    open: async () => ({ db: await openDatabase({}), drop: async () => {} }),
  },
  {
    name: "postgres",
    up: postgresUp,
    open: async () => {
      const t = await createTestDatabase();
      return { db: await openDatabase({ url: t.url, poolSize: 12 }), drop: t.drop };
    },
  },
];

for (const impl of impls) {
  describe.skipIf(!impl.up())(`a fund's life on ${impl.name}`, () => {
    let db: Database;
    let storage: ObjectStore;
    let root: string;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      const opened = await impl.open();
      db = opened.db;
      await db.migrate("funds", MIGRATIONS);
      root = await mkdtemp(join(tmpdir(), "funds-life-"));
      storage = createLocalStore({
        root,
        publicBaseUrl: "http://x/files",
        signingKey: new Uint8Array(32),
      });
      cleanup = async () => {
        await db.close();
        await opened.drop();
        await rm(root, { recursive: true, force: true });
      };
    });
    afterAll(async () => cleanup?.());
    const upload = async (orgId: string, filename: string, bytes: Uint8Array) =>
      accepted(await storeUpload({ db, storage }, { orgId, uploadedBy: "u1", filename, bytes }));

    it("keeps a fund's history through a rename (same fund name, new file name)", async () => {
      const orgId = randomUUID();
      const v1 = await upload(orgId, "Q1 2020.xlsx", await workbook());
      const oldHash = fundIdentityHash(orgId, "Q1 2020.xlsx", "Buyout I");
      expect(v1.funds.find((f) => f.name === "Buyout I")?.fundIdentityHash).toBe(oldHash);

      const v2 = await upload(orgId, "Q2 2020.xlsx", await workbook(2_600_000));
      const newHash = fundIdentityHash(orgId, "Q2 2020.xlsx", "Buyout I");
      expect(v2.funds.map((f) => [f.name, f.versionNumber, f.isNew, f.renamedFrom])).toEqual([
        ["Buyout I", 2, true, oldHash],
        // Growth II's data did not change: renamed, and still version 1.
        ["Growth II", 1, false, fundIdentityHash(orgId, "Q1 2020.xlsx", "Growth II")],
      ]);

      // The history is the same whichever identity names it.
      for (const hash of [oldHash, newHash]) {
        const h = await fundVersions(db, orgId, hash);
        expect(h?.fund).toMatchObject({
          canonical: newHash,
          filename: "Q2 2020.xlsx",
          lineage: [newHash, oldHash],
        });
        expect(h?.versions.map((v) => [v.versionNumber, v.fundIdentityHash])).toEqual([
          [1, oldHash],
          [2, newHash],
        ]);
      }
      const events = await fundEvents(db, orgId, oldHash);
      expect(events?.events.map((e) => e.kind)).toEqual(["created", "renamed", "new_version"]);
      expect(events?.events[1]?.detail).toMatchObject({
        from: oldHash,
        to: newHash,
        fromFilename: "Q1 2020.xlsx",
        toFilename: "Q2 2020.xlsx",
      });
      // Listed once, under its current file name, at its latest version.
      const list = await listFunds(db, orgId, { limit: 10, offset: 0 });
      expect(list.map((f) => [f.name, f.filename, f.latestVersion])).toEqual([
        ["Buyout I", "Q2 2020.xlsx", 2],
        ["Growth II", "Q2 2020.xlsx", 1],
      ]);
      // The old file again: its data is version 1 of the same fund, not a new fund.
      const back = await upload(orgId, "Q1 2020.xlsx", await workbook());
      expect(back.funds.map((f) => [f.fundIdentityHash, f.versionNumber, f.isNew])).toEqual([
        [newHash, 1, false],
        [fundIdentityHash(orgId, "Q2 2020.xlsx", "Growth II"), 1, false],
      ]);
      // A third name chains: Q1 → Q2 → Q3, and every old identity resolves to the newest.
      await upload(orgId, "Q3 2020.xlsx", await workbook(2_700_000));
      const q3 = fundIdentityHash(orgId, "Q3 2020.xlsx", "Buyout I");
      const chained = await fundVersions(db, orgId, oldHash);
      expect(chained?.fund.canonical).toBe(q3);
      expect(chained?.versions.map((v) => v.versionNumber)).toEqual([1, 2, 3]);
    });

    it("does not guess which fund was renamed when two files had that name", async () => {
      const orgId = randomUUID();
      await upload(orgId, "a.xlsx", await workbook());
      await upload(orgId, "b.xlsx", await workbook(1));
      // b.xlsx renamed a.xlsx's funds; now a third file: one current identity per name, so alias.
      const c = await upload(orgId, "c.xlsx", await workbook(2));
      expect(c.funds[0]?.renamedFrom).toBe(fundIdentityHash(orgId, "b.xlsx", "Buyout I"));
      const aliases = await db.withOrg(orgId, async (tx) =>
        rowsOf(await tx.execute(sql`SELECT count(*)::int AS n FROM funds.fund_aliases`)),
      );
      expect(aliases[0]?.n).toBe(4);
      // Two current identities of one name (made directly, as two files once could): no alias.
      const other = randomUUID();
      await db.withOrg(other, async (tx) => {
        for (const f of ["x.xlsx", "y.xlsx"])
          await tx.execute(sql`INSERT INTO funds.fund_identities (org_id, fund_identity_hash, fund_name, filename, file_identity_hash)
            VALUES (${other}, ${fundIdentityHash(other, f, "Buyout I")}, 'Buyout I', ${f}, ${"0".repeat(64)})`);
      });
      const z = await upload(other, "z.xlsx", await workbook());
      expect(z.funds.find((f) => f.name === "Buyout I")?.renamedFrom).toBeUndefined();
      const ev = await fundEvents(db, other, fundIdentityHash(other, "z.xlsx", "Buyout I"));
      expect(ev?.events.map((e) => e.kind)).toEqual(["rename_ambiguous", "created"]);
    });

    it("serves a version's weekly series from its Parquet, which DuckDB reads too", async () => {
      const orgId = randomUUID();
      const r = await upload(orgId, "p.xlsx", await workbook());
      const hash = r.funds[0]?.fundIdentityHash ?? "";
      const s = await fundSeries({ db, storage }, orgId, hash, 1);
      expect(s?.weekly.week.slice(0, 2)).toEqual(["2020-01-17", "2020-01-24"]);
      expect(s?.weekly.contribution[0]).toBe(2_500_000);
      expect(s?.weekly.nav.at(-1)).toBe(2_430_000);
      expect(await fundSeries({ db, storage }, orgId, hash, 2)).toBeUndefined();
      expect(await fundSeries({ db, storage }, randomUUID(), hash, 1)).toBeUndefined();

      const file = join(root, "duck.parquet");
      await writeFile(file, await storage.get(s?.version.parquetKey ?? ""));
      const duck = await DuckDBInstance.create(":memory:");
      const conn = await duck.connect();
      const rows = (
        await conn.runAndReadAll(
          `SELECT count(*)::INT AS weeks, min(week) AS first, max(week) AS last, sum(contribution) AS paid,
                  sum(distribution) AS distributed, max(nav) AS nav FROM read_parquet('${file}')`,
        )
      ).getRowObjectsJS();
      conn.closeSync();
      duck.closeSync();
      expect(rows).toEqual([
        {
          weeks: 12,
          first: "2020-01-17",
          last: "2020-04-03",
          paid: 2_500_000,
          distributed: 500_000,
          nav: 2_430_000,
        },
      ]);
      expect(s?.version.weeks).toBe(12);
    });

    it("takes market series, a market config with history, and measures the fund against it", async () => {
      const orgId = randomUUID();
      // A workbook naming a series the organisation does not have is refused and stores nothing.
      const early = await storeUpload(
        { db, storage },
        {
          orgId,
          uploadedBy: "u1",
          filename: "m.xlsx",
          bytes: await workbook(2_430_000, [["Buyout I", "World", "Peers"]]),
        },
      );
      expect(
        early.status === "rejected" && early.problems.map((p) => `${p.sheet}!${p.row}:${p.column}`),
      ).toEqual(["Market!2:B (Market series)", "Market!2:C (Comparable series)"]);
      expect(await listFunds(db, orgId, { limit: 10, offset: 0 })).toEqual([]);

      const up = await storeMarketSeries(
        { db, storage },
        {
          orgId,
          uploadedBy: "admin",
          bytes: seriesCsv(["World", "Peers"], 60),
        },
      );
      expect(
        up.status === "accepted" &&
          up.series.map((s) => [s.name, s.frequency, s.versionNumber, s.isNew]),
      ).toEqual([
        ["World", "weekly", 1, true],
        ["Peers", "weekly", 1, true],
      ]);
      const again = await storeMarketSeries(
        { db, storage },
        {
          orgId,
          uploadedBy: "admin",
          bytes: seriesCsv(["World"], 60),
        },
      );
      expect(again.status === "accepted" && again.series[0]?.isNew).toBe(false);
      await storeMarketSeries(
        { db, storage },
        {
          orgId,
          uploadedBy: "admin",
          bytes: seriesCsv(["World"], 60, () => 0.004),
        },
      );
      expect(
        (await listMarketSeries(db, orgId)).map((s) => [s.name, s.versionNumber, s.points]),
      ).toEqual([
        ["Peers", 1, 60],
        ["World", 2, 60],
      ]);
      const bad = await storeMarketSeries(
        { db, storage },
        {
          orgId,
          uploadedBy: "admin",
          bytes: new TextEncoder().encode("Date,X\n2020-01-03,abc\n"),
        },
      );
      expect(bad.status === "rejected" && bad.problems[0]).toMatchObject({
        sheet: "csv",
        row: 2,
        column: "B (X)",
      });
      // A file that is not a workbook (by content: a PNG named .xlsx) is refused too.
      const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
      const wrong = await storeMarketSeries(
        { db, storage },
        { orgId, uploadedBy: "admin", filename: "world.xlsx", bytes: png },
      );
      expect(wrong).toMatchObject({
        status: "rejected",
        problems: [
          { sheet: "(file)", message: "not an .xlsx workbook or a CSV text file (UTF-8)" },
        ],
      });
      // Every market upload, accepted or not, leaves its audit record; the rejected ones nothing else.
      const audit = await db.withOrg(orgId, async (tx) =>
        rowsOf(
          await tx.execute(sql`SELECT id, filename, status, format, problems, sha256, uploaded_by
            FROM funds.uploads WHERE kind = 'market_series' ORDER BY created_at, id`),
        ),
      );
      expect(audit.map((r) => [r.filename, r.status, r.format, r.uploaded_by])).toEqual([
        ["(no name)", "accepted", "csv", "admin"],
        ["(no name)", "accepted", "csv", "admin"],
        ["(no name)", "accepted", "csv", "admin"],
        ["(no name)", "rejected", null, "admin"],
        ["world.xlsx", "rejected", null, "admin"],
      ]);
      expect(audit.map((r) => String(r.id))).toEqual([
        up.uploadId,
        again.uploadId,
        expect.any(String),
        bad.uploadId,
        wrong.uploadId,
      ]);
      expect(JSON.stringify(audit[3]?.problems)).toContain('"column":"B (X)"');
      expect(audit.every((r) => /^[0-9a-f]{64}$/.test(String(r.sha256)))).toBe(true);
      expect((await listMarketSeries(db, orgId)).map((s) => s.name)).toEqual(["Peers", "World"]);

      const r = await upload(
        orgId,
        "m.xlsx",
        await workbook(2_430_000, [["Buyout I", "World", "Peers"]]),
      );
      const hash = r.funds[0]?.fundIdentityHash ?? "";
      const perf = await fundPerformance({ db, storage }, orgId, hash, 0);
      // World returns 0.4% a week (its version 2); the fund's index grows by 1.004 per week.
      const p = perf?.performance;
      expect(p?.valuationDate).toBe("2020-04-03");
      expect(p?.tvpi).toBeCloseTo((500_000 + 2_430_000) / 2_500_000, 12);
      expect(p?.dpi).toBeCloseTo(0.2, 12);
      expect(p?.rvpi).toBeCloseTo(2_430_000 / 2_500_000, 12);
      const g = 1.004 ** 11; // first week to valuation week
      expect(p?.ksPme).toBeCloseTo((500_000 + 2_430_000) / (2_500_000 * g), 10);
      expect(p?.directAlpha?.ok).toBe(true);
      expect(perf?.config?.config.regimes).toEqual([
        { from: null, market: "World", comparable: "Peers" },
      ]);

      // A second regime from April changes the hash and appends to the history; the same again does not.
      const twoRegimes = {
        regimes: [
          { from: null, market: "World", comparable: null },
          { from: "2020-03-01", market: "Peers", comparable: null },
        ],
      };
      const set = (config: typeof twoRegimes) =>
        db.withOrg(orgId, (tx) =>
          setMarketConfig(tx, {
            orgId,
            fundIdentityHash: hash,
            config,
            changedBy: "admin",
            source: "api",
          }),
        );
      const first = await set(twoRegimes);
      expect(first.changed).toBe(true);
      expect((await set(twoRegimes)).changed).toBe(false);
      const history = await db.withOrg(orgId, (tx) => marketConfigHistory(tx, [hash]));
      expect(history.map((h) => h.source)).toEqual(["upload", "api"]);
      expect(history[1]?.configHash).toBe(first.configHash);
      expect(history[0]?.configHash).not.toBe(first.configHash);
      const chained = await fundPerformance({ db, storage }, orgId, hash, 0);
      expect(chained?.performance.ksPme).not.toBeCloseTo(p?.ksPme ?? 0, 6);

      // History rows cannot be rewritten by the application.
      const rewrite = await db
        .withOrg(orgId, (tx) =>
          tx.execute(sql`UPDATE funds.fund_market_config_history SET source = 'x'`),
        )
        .catch((e: unknown) => e);
      expect(String((rewrite as Error).cause)).toMatch(/permission denied/);
    });

    it("defines an evergreen fund from member funds, with its identity hashes", async () => {
      const orgId = randomUUID();
      const r = await upload(orgId, "e.xlsx", await workbook());
      const [a, b] = r.funds.map((f) => f.fundIdentityHash) as [string, string];
      const e = await defineEvergreen(db, {
        orgId,
        createdBy: "u1",
        name: " Evergreen One ",
        memberHashes: [b, a],
      });
      const hash = evergreenIdentityHash(orgId, "Evergreen One", [a, b]);
      expect(e.evergreenIdentityHash).toBe(hash);
      expect(e.isNew).toBe(true);
      expect(new Set(e.members.map((m) => m.subfundIdentityHash))).toEqual(
        new Set([evergreenSubfundHash(orgId, hash, a), evergreenSubfundHash(orgId, hash, b)]),
      );
      const same = await defineEvergreen(db, {
        orgId,
        createdBy: "u2",
        name: "Evergreen One",
        memberHashes: [a, b],
      });
      expect(same).toMatchObject({ evergreenIdentityHash: hash, isNew: false });
      expect(
        (await listEvergreen(db, orgId)).map((x) => [x.name, x.members.map((m) => m.name).sort()]),
      ).toEqual([["Evergreen One", ["Buyout I", "Growth II"]]]);
      expect((await fundEvents(db, orgId, a))?.events.map((x) => x.kind)).toContain(
        "evergreen_member",
      );

      const refuse = (memberHashes: string[], name = "E") =>
        defineEvergreen(db, { orgId, createdBy: "u1", name, memberHashes }).catch(
          (err: unknown) => err,
        );
      expect(await refuse([a])).toMatchObject({ field: "member_fund_identity_hashes" });
      expect(await refuse([a, a])).toMatchObject({ field: "member_fund_identity_hashes[1]" });
      expect(await refuse([a, "f".repeat(64)])).toBeInstanceOf(EvergreenRejected);
      expect(await refuse([a, b], "a|b")).toMatchObject({ field: "name" });
      // Another organisation's funds are not there to use.
      const other = await defineEvergreen(db, {
        orgId: randomUUID(),
        createdBy: "u",
        name: "X",
        memberHashes: [a, b],
      }).catch((err: unknown) => err);
      expect(other).toBeInstanceOf(EvergreenRejected);
    });
  });
}

describe.skipIf(!postgresUp())("uploads against PostgreSQL and the S3-compatible server", () => {
  let db: Database;
  let drop: () => Promise<void>;
  let storage: ObjectStore;
  beforeAll(async () => {
    const t = await createTestDatabase();
    drop = t.drop;
    db = await openDatabase({ url: t.url, poolSize: 12 });
    await db.migrate("funds", MIGRATIONS);
    storage = createS3Store({
      bucket: "portal-test",
      client: {
        endpoint: realServices.s3Endpoint,
        region: "us-east-1",
        forcePathStyle: true,
        credentials: TEST_S3_CREDENTIALS,
      },
    });
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  it("keeps one version when ten uploads of one file race, objects in S3", async () => {
    const orgId = randomUUID();
    const bytes = await workbook();
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        storeUpload({ db, storage }, { orgId, uploadedBy: "u1", filename: "race.xlsx", bytes }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill("accepted"));
    const fresh = results.flatMap((r) =>
      r.status === "accepted" ? r.funds.filter((f) => f.isNew) : [],
    );
    expect(fresh.map((f) => f.name).sort()).toEqual(["Buyout I", "Growth II"]);
    const versions = await db.withOrg(orgId, async (tx) =>
      rowsOf(
        await tx.execute(
          sql`SELECT fund_identity_hash, version_number, parquet_key FROM funds.fund_data_versions`,
        ),
      ),
    );
    expect(versions.map((v) => Number(v.version_number))).toEqual([1, 1]);
    expect((await storage.list(`raw/${orgId}/`)).length).toBe(1);
    const hash = String(versions[0]?.fund_identity_hash);
    const s = await fundSeries({ db, storage }, orgId, hash, 1);
    expect(s?.weekly.week.length).toBeGreaterThan(0);
  });
});
