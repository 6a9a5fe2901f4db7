import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Database, ObjectStore } from "@portal/runtime";
import { createLocalStore, openDatabase, rowsOf } from "@portal/runtime";
import { createTestDatabase, postgresUp } from "@portal/test-kit";
import { sql } from "drizzle-orm";
import ExcelJS from "exceljs";
import { parquetReadObjects } from "hyparquet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeUpload } from "./store-upload.js";

const MIGRATIONS = fileURLToPath(new URL("../../migrations", import.meta.url));

async function workbook(navAtQ1 = 2_430_000): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet("Data").addRows([
    ["Fund", "Date", "Contribution", "Distribution", "GP NAV"],
    ["Buyout I", new Date(Date.UTC(2020, 0, 15)), 2_500_000, null, null],
    ["Buyout I", new Date(Date.UTC(2020, 2, 31)), null, null, navAtQ1],
    ["Growth II", new Date(Date.UTC(2020, 1, 3)), 1_000_000, null, null],
  ]);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

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
  describe.skipIf(!impl.up())(`storeUpload on ${impl.name}`, () => {
    let db: Database;
    let storage: ObjectStore;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      const opened = await impl.open();
      db = opened.db;
      await db.migrate("funds", MIGRATIONS);
      const root = await mkdtemp(join(tmpdir(), "funds-store-"));
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

    const versions = (orgId: string) =>
      db.withOrg(orgId, async (tx) =>
        rowsOf(
          await tx.execute(sql`SELECT f.fund_name, v.version_number FROM funds.fund_data_versions v
          JOIN funds.fund_identities f USING (org_id, fund_identity_hash) ORDER BY 1, 2`),
        ).map((r) => `${r.fund_name} v${r.version_number}`),
      );

    it("stores one version per fund, and none again for the same file", async () => {
      const orgId = randomUUID();
      const input = { orgId, uploadedBy: "u1", filename: "Q1 funds.xlsx", bytes: await workbook() };
      const first = await storeUpload({ db, storage }, input);
      const second = await storeUpload({ db, storage }, input);
      expect(
        first.status === "accepted" && first.funds.map((f) => [f.name, f.versionNumber, f.isNew]),
      ).toEqual([
        ["Buyout I", 1, true],
        ["Growth II", 1, true],
      ]);
      expect(
        second.status === "accepted" &&
          second.funds.every((f) => !f.isNew && f.versionNumber === 1),
      ).toBe(true);
      expect(await versions(orgId)).toEqual(["Buyout I v1", "Growth II v1"]);
    });

    it("makes version 2 of only the fund whose data changed", async () => {
      const orgId = randomUUID();
      await storeUpload(
        { db, storage },
        { orgId, uploadedBy: "u1", filename: "f.xlsx", bytes: await workbook() },
      );
      const changed = await storeUpload(
        { db, storage },
        { orgId, uploadedBy: "u1", filename: "f.xlsx", bytes: await workbook(2_431_000) },
      );
      expect(
        changed.status === "accepted" &&
          changed.funds.map((f) => [f.name, f.versionNumber, f.isNew]),
      ).toEqual([
        ["Buyout I", 2, true],
        ["Growth II", 1, false],
      ]);
      expect(await versions(orgId)).toEqual(["Buyout I v1", "Buyout I v2", "Growth II v1"]);
    });

    it("keeps one version when ten uploads of one file race", async () => {
      const orgId = randomUUID();
      const bytes = await workbook();
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          storeUpload({ db, storage }, { orgId, uploadedBy: "u1", filename: "race.xlsx", bytes }),
        ),
      );
      expect(results.every((r) => r.status === "accepted")).toBe(true);
      expect(await versions(orgId)).toEqual(["Buyout I v1", "Growth II v1"]);
    });

    it("keeps numbering gapless when different data races", async () => {
      const orgId = randomUUID();
      await Promise.all(
        [1, 2, 3, 4, 5].map(async (k) =>
          storeUpload(
            { db, storage },
            { orgId, uploadedBy: "u1", filename: "g.xlsx", bytes: await workbook(2_000_000 + k) },
          ),
        ),
      );
      expect(await versions(orgId)).toEqual([
        "Buyout I v1",
        "Buyout I v2",
        "Buyout I v3",
        "Buyout I v4",
        "Buyout I v5",
        "Growth II v1",
      ]);
    });

    it("stores nothing but its own record for a rejected upload", async () => {
      const orgId = randomUUID();
      const bad = new TextEncoder().encode(
        "Fund,Date,Contribution,Distribution,GP NAV\nA,2020-01-03,-5,,\n",
      );
      const r = await storeUpload(
        { db, storage },
        { orgId, uploadedBy: "u1", filename: "bad.csv", bytes: bad },
      );
      expect(r.status).toBe("rejected");
      expect(r.status === "rejected" && r.problems[0]).toMatchObject({
        sheet: "csv",
        row: 2,
        column: "C (Contribution)",
      });
      expect(await versions(orgId)).toEqual([]);
      const uploads = await db.withOrg(orgId, async (tx) =>
        rowsOf(await tx.execute(sql`SELECT status, problems FROM funds.uploads`)),
      );
      expect(uploads.map((u) => u.status)).toEqual(["rejected"]);
      expect(await storage.list(`raw/${orgId}/`)).toEqual([]);
    });

    it("keeps the raw file and the canonical weekly data as Parquet", async () => {
      const orgId = randomUUID();
      const r = await storeUpload(
        { db, storage },
        { orgId, uploadedBy: "u1", filename: "p.xlsx", bytes: await workbook() },
      );
      if (r.status !== "accepted") throw new Error("rejected");
      const buyout = r.funds.find((f) => f.name === "Buyout I");
      const key = `processed-data/${orgId}/${buyout?.fundIdentityHash}/${buyout?.dataHash}.parquet`;
      const bytes = await storage.get(key);
      const rows = await parquetReadObjects({
        file: bytes.buffer.slice(
          bytes.byteOffset,
          bytes.byteOffset + bytes.byteLength,
        ) as ArrayBuffer,
      });
      expect(rows[0]).toMatchObject({
        week: "2020-01-17",
        contribution: 2_500_000,
        distribution: 0,
        nav: null,
      });
      expect(rows.at(-1)).toMatchObject({ week: "2020-04-03", nav: 2_430_000 });
      expect((await storage.list(`raw/${orgId}/`)).length).toBe(1);
    });

    it("keeps another organisation's funds out of sight", async () => {
      const a = randomUUID();
      const b = randomUUID();
      await storeUpload(
        { db, storage },
        { orgId: a, uploadedBy: "u1", filename: "a.xlsx", bytes: await workbook() },
      );
      expect(await versions(b)).toEqual([]);
    });
  });
}
