import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseFund } from "@portal/navcast";
import type { Database, ObjectStore } from "@portal/runtime";
import { createLocalStore, openDatabase } from "@portal/runtime";
import { createTestDatabase, postgresUp } from "@portal/test-kit";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setMarketConfig } from "./market-config.js";
import { storeMarketSeries } from "./market-series.js";
import {
  buildModelInput,
  modelInputKey,
  refreshModelInputs,
  weeklyLogReturns,
} from "./model-input.js";
import type { UploadOutcome } from "./store-upload.js";
import { storeUpload } from "./store-upload.js";
import { toWeekly } from "./weekly.js";

const MIGRATIONS = fileURLToPath(new URL("../../migrations", import.meta.url));
const DAY_MS = 86_400_000;
const utc = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Weekdays from `from` to `to` with a return each (varying, so sums are checked). */
function daily(from: string, to: string): { date: string; r: number }[] {
  const out: { date: string; r: number }[] = [];
  for (
    let ms = Date.parse(`${from}T00:00:00Z`);
    ms <= Date.parse(`${to}T00:00:00Z`);
    ms += DAY_MS
  ) {
    const dow = new Date(ms).getUTCDay();
    if (dow === 0 || dow === 6) continue;
    out.push({ date: iso(ms), r: ((out.length % 5) - 2) / 1000 });
  }
  return out;
}

/** Fridays from `from` for `n` weeks, leaving out `skip`. */
function weekly(from: string, n: number, skip: string[] = []): { date: string; r: number }[] {
  const out: { date: string; r: number }[] = [];
  for (let i = 0; i < n; i++) {
    const date = iso(Date.parse(`${from}T00:00:00Z`) + i * 7 * DAY_MS);
    if (!skip.includes(date)) out.push({ date, r: 0.003 - (i % 3) / 1000 });
  }
  return out;
}

const csv = (name: string, points: { date: string; r: number }[]) =>
  new TextEncoder().encode([`Date,${name}`, ...points.map((p) => `${p.date},${p.r}`)].join("\n"));

/** Sum of log(1 + r) over the points in the week ending on Friday `week`. */
const weekSum = (points: { date: string; r: number }[], week: string) => {
  const end = Date.parse(`${week}T00:00:00Z`);
  const inWeek = points.filter((p) => {
    const ms = Date.parse(`${p.date}T00:00:00Z`);
    return ms > end - 7 * DAY_MS && ms <= end;
  });
  return inWeek.length === 0 ? null : inWeek.reduce((s, p) => s + Math.log1p(p.r), 0);
};

async function workbook(market?: string[][]): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet("Data").addRows([
    ["Fund", "Date", "Contribution", "Distribution", "GP NAV", "Secondary price"],
    ["Buyout I", utc(2020, 1, 15), 2_500_000, null, null, null],
    ["Buyout I", utc(2020, 2, 20), 400_000, null, null, 2_700_000],
    ["Buyout I", utc(2020, 3, 31), null, 500_000, 2_430_000, null],
    ["Growth II", utc(2020, 2, 3), 1_000_000, null, null, null],
    ["Growth II", utc(2020, 6, 30), null, null, 1_100_000, null],
  ]);
  if (market)
    wb.addWorksheet("Market").addRows([["Fund", "Market series", "Comparable series"], ...market]);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

const accepted = (r: UploadOutcome) => {
  if (r.status !== "accepted") throw new Error(`rejected: ${JSON.stringify(r.problems)}`);
  return r;
};

describe("weeklyLogReturns and buildModelInput", () => {
  const weeks = ["2024-01-05", "2024-01-12", "2024-01-19"];
  it("compounds a daily series to the fund's weeks (Saturday to Friday), null where none", () => {
    const s = {
      name: "D",
      frequency: "daily" as const,
      dates: ["2024-01-06", "2024-01-08", "2024-01-12", "2024-01-20"],
      returns: [0.01, -0.02, 0.03, 0.5],
    };
    const r = weeklyLogReturns(weeks, s);
    expect(r[0]).toBeNull();
    expect(r[1]).toBeCloseTo(Math.log(1.01) + Math.log(0.98) + Math.log(1.03), 15);
    expect(r[2]).toBeNull(); // Saturday the 20th belongs to the week ending the 26th
  });

  it("has no input without a market config or with a week the market series misses", () => {
    const t = toWeekly([
      {
        date: "2024-01-03",
        contribution: 10,
        distribution: 0,
        nav: null,
        secondaryPrice: null,
        row: 2,
      },
      {
        date: "2024-01-17",
        contribution: 0,
        distribution: 0,
        nav: 11,
        secondaryPrice: null,
        row: 3,
      },
    ]);
    expect(t.week).toEqual(weeks);
    expect(buildModelInput("F", t, undefined, new Map())).toEqual({
      ok: false,
      reason: "the fund has no market config",
    });
    const m = {
      name: "M",
      frequency: "weekly" as const,
      dates: ["2024-01-05", "2024-01-19"],
      returns: [0.01, 0.02],
    };
    const config = { regimes: [{ from: null, market: "M", comparable: null }] };
    expect(buildModelInput("F", t, config, new Map([["M", m]]))).toEqual({
      ok: false,
      reason: 'market series "M" has no return in the week of 2024-01-12',
    });
    const late = { regimes: [{ from: "2024-01-10", market: "M", comparable: null }] };
    expect(buildModelInput("F", t, late, new Map([["M", m]]))).toEqual({
      ok: false,
      reason: "no market regime covers the week of 2024-01-05",
    });
  });
});

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
      return { db: await openDatabase({ url: t.url, poolSize: 4 }), drop: t.drop };
    },
  },
];

for (const impl of impls) {
  describe.skipIf(!impl.up())(`model inputs of uploaded funds on ${impl.name}`, () => {
    let db: Database;
    let storage: ObjectStore;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      const opened = await impl.open();
      db = opened.db;
      await db.migrate("funds", MIGRATIONS);
      const root = await mkdtemp(join(tmpdir(), "funds-inputs-"));
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

    const read = async (key: string) =>
      parseFund(JSON.parse(Buffer.from(await storage.get(key)).toString("utf8")));

    it("writes the section-10 JSON of each version with a market config, and follows config changes", async () => {
      const orgId = randomUUID();
      const world = daily("2019-12-30", "2020-07-10");
      const peers = weekly("2020-01-03", 28, ["2020-02-14"]);
      const bonds = weekly("2020-01-03", 28);
      for (const [name, points] of [
        ["World", world],
        ["Peers", peers],
        ["Bonds", bonds],
      ] as const)
        expect(
          (
            await storeMarketSeries(
              { db, storage },
              { orgId, uploadedBy: "a", bytes: csv(name, points) },
            )
          ).status,
        ).toBe("accepted");

      const up = accepted(
        await storeUpload(
          { db, storage },
          {
            orgId,
            uploadedBy: "u1",
            filename: "q1.xlsx",
            bytes: await workbook([["Buyout I", "World", "Peers"]]),
          },
        ),
      );
      const [buyout, growth] = up.funds;
      if (!buyout || !growth) throw new Error("two funds expected");
      const key = modelInputKey(orgId, buyout.fundIdentityHash, buyout.dataHash);
      const growthKey = modelInputKey(orgId, growth.fundIdentityHash, growth.dataHash);
      expect(up.modelInputs).toEqual([
        {
          fundIdentityHash: buyout.fundIdentityHash,
          dataHash: buyout.dataHash,
          key,
          written: true,
        },
        {
          fundIdentityHash: growth.fundIdentityHash,
          dataHash: growth.dataHash,
          key: growthKey,
          written: false,
          reason: "the fund has no market config",
        },
      ]);
      expect(await storage.exists(growthKey)).toBe(false);

      const f = await read(key);
      const weeks = Array.from({ length: 12 }, (_, i) =>
        iso(Date.parse("2020-01-17T00:00:00Z") + i * 7 * DAY_MS),
      );
      expect(f.name).toBe("Buyout I");
      expect(f.weeks).toEqual(weeks);
      const at = (w: string) => weeks.indexOf(w);
      expect(Array.from(f.contributions)).toEqual(
        weeks.map((w) => (w === "2020-01-17" ? 2_500_000 : w === "2020-02-21" ? 400_000 : 0)),
      );
      expect(Array.from(f.distributions)).toEqual(
        weeks.map((w) => (w === "2020-04-03" ? 500_000 : 0)),
      );
      expect(f.navGp[at("2020-04-03")]).toBe(2_430_000);
      expect(Array.from(f.navGp).filter((x) => !Number.isNaN(x))).toHaveLength(1);
      expect(f.secondary[at("2020-02-21")]).toBe(2_700_000);
      expect(Array.from(f.secondary).filter((x) => !Number.isNaN(x))).toHaveLength(1);
      weeks.forEach((w, k) => {
        expect(f.market[k]).toBeCloseTo(weekSum(world, w) as number, 14);
        const c = weekSum(peers, w);
        if (c === null) expect(f.comparable[k]).toBeNaN();
        else expect(f.comparable[k]).toBeCloseTo(c, 14);
      });
      expect(Number.isNaN(f.comparable[at("2020-02-14")])).toBe(true);
      // The stored bytes are JSON with null (not NaN) where values are missing.
      const raw = JSON.parse(Buffer.from(await storage.get(key)).toString("utf8"));
      expect(raw.comparable_log_return[at("2020-02-14")]).toBeNull();
      expect(raw.nav_gp[0]).toBeNull();

      // The same file again writes the same bytes; a config change rewrites every version.
      const before = Buffer.from(await storage.get(key)).toString("utf8");
      accepted(
        await storeUpload(
          { db, storage },
          {
            orgId,
            uploadedBy: "u1",
            filename: "q1.xlsx",
            bytes: await workbook([["Buyout I", "World", "Peers"]]),
          },
        ),
      );
      expect(Buffer.from(await storage.get(key)).toString("utf8")).toBe(before);

      await db.withOrg(orgId, async (tx) => {
        await setMarketConfig(tx, {
          orgId,
          fundIdentityHash: buyout.fundIdentityHash,
          config: {
            regimes: [
              { from: null, market: "World", comparable: null },
              { from: "2020-03-01", market: "Bonds", comparable: "Peers" },
            ],
          },
          changedBy: "a",
          source: "api",
        });
        await setMarketConfig(tx, {
          orgId,
          fundIdentityHash: growth.fundIdentityHash,
          config: { regimes: [{ from: null, market: "Bonds", comparable: null }] },
          changedBy: "a",
          source: "api",
        });
        await refreshModelInputs(tx, storage, orgId, buyout.fundIdentityHash);
        await refreshModelInputs(tx, storage, orgId, growth.fundIdentityHash);
      });
      const g = await read(key);
      weeks.forEach((w, k) => {
        const bonds_ = w >= "2020-03-01";
        expect(g.market[k]).toBeCloseTo(weekSum(bonds_ ? bonds : world, w) as number, 14);
        if (bonds_) expect(g.comparable[k]).toBeCloseTo(weekSum(peers, w) as number, 14);
        else expect(g.comparable[k]).toBeNaN();
      });
      const growthInput = await read(growthKey);
      expect(growthInput.weeks[0]).toBe("2020-02-07");
      expect(growthInput.market[0]).toBeCloseTo(weekSum(bonds, "2020-02-07") as number, 14);

      // A config whose series leaves a week uncovered removes the stale input: runs are refused.
      await db.withOrg(orgId, async (tx) => {
        await setMarketConfig(tx, {
          orgId,
          fundIdentityHash: growth.fundIdentityHash,
          config: { regimes: [{ from: null, market: "Peers", comparable: null }] },
          changedBy: "a",
          source: "api",
        });
        const out = await refreshModelInputs(tx, storage, orgId, growth.fundIdentityHash);
        expect(out.map((o) => [o.written, o.reason])).toEqual([
          [false, 'market series "Peers" has no return in the week of 2020-02-14'],
        ]);
      });
      expect(await storage.exists(growthKey)).toBe(false);

      // A new version of the data gets its own input; the older version's stays.
      const v2 = accepted(
        await storeUpload(
          { db, storage },
          {
            orgId,
            uploadedBy: "u1",
            filename: "q1.xlsx",
            bytes: await (async () => {
              const wb = new ExcelJS.Workbook();
              wb.addWorksheet("Data").addRows([
                ["Fund", "Date", "Contribution", "Distribution", "GP NAV"],
                ["Buyout I", utc(2020, 1, 15), 2_500_000, null, null],
                ["Buyout I", utc(2020, 6, 30), null, null, 2_600_000],
              ]);
              return new Uint8Array(await wb.xlsx.writeBuffer());
            })(),
          },
        ),
      );
      const nb = v2.funds[0];
      expect(nb?.versionNumber).toBe(2);
      const k2 = modelInputKey(orgId, nb?.fundIdentityHash ?? "", nb?.dataHash ?? "");
      expect((await read(k2)).weeks.at(-1)).toBe("2020-07-03");
      expect(await storage.exists(key)).toBe(true);
    });

    it("rewrites the inputs of the funds that use a series when it gets a new version", async () => {
      const orgId = randomUUID();
      const world1 = weekly("2020-01-03", 28);
      const world2 = world1.map((p, i) => ({ date: p.date, r: 0.01 + i / 10_000 }));
      const bonds = weekly("2020-01-03", 28);
      for (const [name, points] of [
        ["World", world1],
        ["Bonds", bonds],
      ] as const)
        await storeMarketSeries(
          { db, storage },
          { orgId, uploadedBy: "a", bytes: csv(name, points) },
        );
      const up = accepted(
        await storeUpload(
          { db, storage },
          {
            orgId,
            uploadedBy: "u1",
            filename: "q1.xlsx",
            bytes: await workbook([
              ["Buyout I", "Bonds", "World"],
              ["Growth II", "Bonds", ""],
            ]),
          },
        ),
      );
      const [buyout, growth] = up.funds;
      if (!buyout || !growth) throw new Error("two funds expected");
      // A second version of Buyout I: every version's input follows the series.
      const v2 = accepted(
        await storeUpload(
          { db, storage },
          {
            orgId,
            uploadedBy: "u1",
            filename: "q1.xlsx",
            bytes: await (async () => {
              const wb = new ExcelJS.Workbook();
              wb.addWorksheet("Data").addRows([
                ["Fund", "Date", "Contribution", "Distribution", "GP NAV"],
                ["Buyout I", utc(2020, 1, 15), 2_500_000, null, null],
                ["Buyout I", utc(2020, 5, 29), null, null, 2_600_000],
              ]);
              return new Uint8Array(await wb.xlsx.writeBuffer());
            })(),
          },
        ),
      ).funds[0];
      const keys = [
        modelInputKey(orgId, buyout.fundIdentityHash, buyout.dataHash),
        modelInputKey(orgId, buyout.fundIdentityHash, v2?.dataHash ?? ""),
      ];
      const growthKey = modelInputKey(orgId, growth.fundIdentityHash, growth.dataHash);
      const comparableOf = async (key: string, points: typeof world1) => {
        const f = await read(key);
        f.weeks.forEach((w, k) => {
          expect(f.comparable[k]).toBeCloseTo(weekSum(points, w) as number, 14);
        });
        return f;
      };
      for (const k of keys) await comparableOf(k, world1);
      const growthBefore = Buffer.from(await storage.get(growthKey)).toString("utf8");

      // The same data again is no new version and rewrites nothing.
      const same = await storeMarketSeries(
        { db, storage },
        { orgId, uploadedBy: "a", filename: "w.csv", bytes: csv("World", world1) },
      );
      expect(same.status === "accepted" && same.modelInputs).toEqual([]);

      const next = await storeMarketSeries(
        { db, storage },
        { orgId, uploadedBy: "a", filename: "w.csv", bytes: csv("World", world2) },
      );
      if (next.status !== "accepted") throw new Error("rejected");
      expect(next.series.map((x) => [x.name, x.versionNumber, x.isNew])).toEqual([
        ["World", 2, true],
      ]);
      // Buyout I names World (as its comparable); Growth II does not and is left alone.
      expect(next.modelInputs.map((o) => [o.key, o.written]).sort()).toEqual(
        keys.map((k) => [k, true]).sort(),
      );
      for (const k of keys) {
        const f = await comparableOf(k, world2);
        f.weeks.forEach((w, i) => {
          expect(f.market[i]).toBeCloseTo(weekSum(bonds, w) as number, 14);
        });
      }
      expect(Buffer.from(await storage.get(growthKey)).toString("utf8")).toBe(growthBefore);

      // A version of the market series that no longer covers the fund's weeks removes its inputs,
      // so a run is refused rather than fitted on the old series.
      const short = await storeMarketSeries(
        { db, storage },
        { orgId, uploadedBy: "a", bytes: csv("Bonds", weekly("2020-03-06", 10)) },
      );
      if (short.status !== "accepted") throw new Error("rejected");
      expect(short.modelInputs.every((o) => !o.written)).toBe(true);
      expect(short.modelInputs.map((o) => o.key).sort()).toEqual([...keys, growthKey].sort());
      for (const k of [...keys, growthKey]) expect(await storage.exists(k)).toBe(false);
    });

    it("writes a renamed fund's versions under its new identity", async () => {
      const orgId = randomUUID();
      await storeMarketSeries(
        { db, storage },
        {
          orgId,
          uploadedBy: "a",
          bytes: csv("World", weekly("2020-01-03", 28)),
        },
      );
      const first = accepted(
        await storeUpload(
          { db, storage },
          {
            orgId,
            uploadedBy: "u1",
            filename: "q1.xlsx",
            bytes: await workbook([["Buyout I", "World", ""]]),
          },
        ),
      );
      const second = accepted(
        await storeUpload(
          { db, storage },
          { orgId, uploadedBy: "u1", filename: "q2.xlsx", bytes: await workbook() },
        ),
      );
      const [a, b] = [first.funds[0], second.funds[0]];
      expect(b?.renamedFrom).toBe(a?.fundIdentityHash);
      expect(b?.isNew).toBe(false);
      const f = await read(modelInputKey(orgId, b?.fundIdentityHash ?? "", a?.dataHash ?? ""));
      expect(f.weeks[0]).toBe("2020-01-17");
    });
  });
}
