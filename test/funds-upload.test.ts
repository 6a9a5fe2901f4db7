import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@connectrpc/connect";
import { Code, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { Role } from "@portal/api";
import { FundService, UploadStatus } from "@portal/api/funds/v1/funds";
import { IdentityService } from "@portal/api/identity/v1/identity";
import type { Embedded } from "@portal/embedded";
import { startEmbedded } from "@portal/embedded";
import { createPrincipalSigner } from "@portal/runtime";
import { parseWorkbook } from "@portal/workbook";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** The documented upload limit: 50 MB. */
const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

/** `n` Fridays from `first` (a Friday), as ISO dates. */
const fridays = (first: string, n: number) =>
  Array.from({ length: n }, (_, i) =>
    new Date(Date.parse(`${first}T00:00:00Z`) + i * 7 * 86_400_000).toISOString().slice(0, 10),
  );

describe("uploading fund data through the gateway", () => {
  let dataDir: string;
  let portal: Embedded;
  let as: (role: Role, orgId: string) => Client<typeof FundService>;
  let baseUrl: string;
  let signer: Awaited<ReturnType<typeof createPrincipalSigner>>;
  const org = randomUUID();
  const withAuthorization = (authorization: () => Promise<string>) =>
    createConnectTransport({
      baseUrl,
      httpVersion: "1.1",
      interceptors: [
        (next) => async (req) => {
          req.header.set("authorization", await authorization());
          return next(req);
        },
      ],
    });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "portal-funds-"));
    portal = await startEmbedded({
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      LOG_LEVEL: "silent",
    });
    signer = await createPrincipalSigner(
      JSON.parse(await readFile(join(dataDir, "keys", "principal.jwk.json"), "utf8")),
    );
    baseUrl = `http://127.0.0.1:${portal.port}/api`;
    as = (role, orgId) =>
      createClient(
        FundService,
        withAuthorization(
          async () => `Bearer ${await signer.sign({ subject: `user-${role}`, orgId, role })}`,
        ),
      );
  });
  afterAll(async () => {
    await portal?.stop(1000);
    await rm(dataDir, { recursive: true, force: true });
  });

  it("hands out the template, takes it back, and stores a version once", async () => {
    const template = await as(Role.VIEWER, org).getWorkbookTemplate({});
    expect((await parseWorkbook(template.content)).ok).toBe(true);
    // The template's Market sheet names two series: until an admin uploads them, it is refused.
    const early = await as(Role.MEMBER, org).uploadWorkbook({
      filename: "template.xlsx",
      content: template.content,
    });
    expect(early.status).toBe(UploadStatus.REJECTED);
    expect(early.problems.map((p) => `${p.sheet}!${p.row}:${p.column} ${p.message}`)).toEqual([
      'Market!2:B (Market series) unknown series "MSCI World": upload it as market data first',
      'Market!2:C (Comparable series) unknown series "Listed PE": upload it as market data first',
    ]);
    const series = new TextEncoder().encode(
      ["Date,MSCI World,Listed PE", ...fridays("2020-01-03", 30).map((d) => `${d},0.2%,0.3%`)].join(
        "\n",
      ),
    );
    const refused = await as(Role.MEMBER, org)
      .uploadMarketSeries({ filename: "m.csv", content: series })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: Code.PermissionDenied });
    const stored = await as(Role.ORG_ADMIN, org).uploadMarketSeries({
      filename: "m.csv",
      content: series,
    });
    expect(stored.series.map((x) => [x.name, x.frequency, x.versionNumber, x.points])).toEqual([
      ["MSCI World", "weekly", 1, 30],
      ["Listed PE", "weekly", 1, 30],
    ]);

    const first = await as(Role.MEMBER, org).uploadWorkbook({
      filename: "template.xlsx",
      content: template.content,
    });
    expect(first.status).toBe(UploadStatus.ACCEPTED);
    expect(first.funds.map((f) => [f.name, f.versionNumber, f.isNew])).toEqual([
      ["Example Buyout Fund I", 1, true],
    ]);
    const again = await as(Role.MEMBER, org).uploadWorkbook({
      filename: "template.xlsx",
      content: template.content,
    });
    expect(again.funds.map((f) => [f.versionNumber, f.isNew])).toEqual([[1, false]]);

    const list = await as(Role.VIEWER, org).listFunds({});
    expect(list.funds.map((f) => [f.name, f.filename, f.latestVersion, f.firstWeek])).toEqual([
      ["Example Buyout Fund I", "template.xlsx", 1, "2020-01-17"],
    ]);
    expect((await as(Role.VIEWER, randomUUID()).listFunds({})).funds).toEqual([]);

    // The queries a UI and the Excel add-in make, as a viewer.
    const fund = first.funds[0]?.fundIdentityHash ?? "";
    const viewer = as(Role.VIEWER, org);
    const versions = await viewer.listFundVersions({ fundIdentityHash: fund });
    expect(versions.versions.map((v) => [v.versionNumber, v.firstWeek, v.lastWeek])).toEqual([
      [1, "2020-01-17", "2020-07-03"],
    ]);
    const weekly = await viewer.getFundSeries({ fundIdentityHash: fund, versionNumber: 0 });
    expect(weekly.rows).toHaveLength(25);
    expect(weekly.rows[0]).toMatchObject({ week: "2020-01-17", contribution: 2_500_000 });
    expect(weekly.rows[0]?.nav).toBeUndefined();
    expect(weekly.rows.at(-1)).toMatchObject({ week: "2020-07-03", nav: 3_610_000 });
    const metrics = await viewer.getFundMetrics({ fundIdentityHash: fund });
    expect(metrics.valuationDate).toBe("2020-07-03");
    expect(metrics.tvpi).toBeCloseTo(3_610_000 / 3_500_000, 12);
    expect(metrics.dpi).toBe(0);
    expect(metrics.irr).toBeLessThan(0.2);
    expect(metrics.ksPme).toBeGreaterThan(0);
    expect(metrics.directAlpha).toBeDefined();
    const config = await viewer.getFundMarketConfig({ fundIdentityHash: fund });
    expect(config.current?.regimes).toEqual([
      expect.objectContaining({ from: "", market: "MSCI World", comparable: "Listed PE" }),
    ]);
    expect(metrics.marketConfigHash).toBe(config.current?.configHash);
    expect(
      (await viewer.listFundEvents({ fundIdentityHash: fund })).events.map((e) => e.kind),
    ).toEqual(["created", "market_config", "same_data"]);
    const missing = await viewer
      .getFundSeries({ fundIdentityHash: "0".repeat(64), versionNumber: 1 })
      .catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: Code.NotFound });
    const malformed = await viewer.getFundMetrics({ fundIdentityHash: "x" }).catch((e) => e);
    expect(malformed).toMatchObject({ code: Code.InvalidArgument });
    const otherOrg = await as(Role.VIEWER, randomUUID())
      .listFundVersions({ fundIdentityHash: fund })
      .catch((e: unknown) => e);
    expect(otherOrg).toMatchObject({ code: Code.NotFound });
  });

  it("sets market configs (admins) and defines evergreen funds (members), naming bad fields", async () => {
    const funds = (await as(Role.VIEWER, org).listFunds({})).funds;
    const fund = funds[0]?.fundIdentityHash ?? "";
    const admin = as(Role.ORG_ADMIN, org);
    const bad = await admin
      .setFundMarketConfig({
        fundIdentityHash: fund,
        regimes: [
          { from: "", market: "MSCI World" },
          { from: "2020-13-01", market: "Nope" },
        ],
      })
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: Code.InvalidArgument });
    expect((bad as Error).message).toContain(
      'regimes[1].from: "2020-13-01" is not a calendar date',
    );
    expect((bad as Error).message).toContain('regimes[1].market: unknown series "Nope"');
    const refused = await as(Role.MEMBER, org)
      .setFundMarketConfig({ fundIdentityHash: fund, regimes: [{ market: "MSCI World" }] })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: Code.PermissionDenied });
    const set = await admin.setFundMarketConfig({
      fundIdentityHash: fund,
      regimes: [{ market: "MSCI World" }, { from: "2020-04-01", market: "Listed PE" }],
    });
    expect(set.changed).toBe(true);
    const config = await as(Role.VIEWER, org).getFundMarketConfig({ fundIdentityHash: fund });
    expect(config.history.map((h) => h.source)).toEqual(["upload", "api"]);
    expect(config.current?.configHash).toBe(set.configHash);

    const second = await as(Role.MEMBER, org).uploadWorkbook({
      filename: "second.csv",
      content: new TextEncoder().encode(
        "Fund,Date,Contribution,Distribution,GP NAV\nSecond Fund,2021-01-04,100,,\n",
      ),
    });
    const members = [fund, second.funds[0]?.fundIdentityHash ?? ""];
    const one = await as(Role.MEMBER, org)
      .createEvergreenFund({ name: "Evergreen", memberFundIdentityHashes: [fund] })
      .catch((e: unknown) => e);
    expect((one as Error).message).toMatch(/member_fund_identity_hashes: .*at least two/);
    const e = await as(Role.MEMBER, org).createEvergreenFund({
      name: "Evergreen",
      memberFundIdentityHashes: members,
    });
    expect(e.isNew).toBe(true);
    expect(e.fund?.evergreenIdentityHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await as(Role.VIEWER, org).listEvergreenFunds({})).funds.map((f) => f.name)).toEqual([
      "Evergreen",
    ]);
  });

  it("takes an upload from an API key of the organisation", async () => {
    const root = { subject: "root", orgId: "", role: Role.SUPER_ADMIN };
    const identity = createClient(
      IdentityService,
      withAuthorization(async () => `Bearer ${await signer.sign(root)}`),
    );
    const orgId =
      (await identity.createOrganization({ slug: "keyed", name: "Keyed" })).organization?.id ?? "";
    const adminId =
      (
        await identity.createUser({
          orgId,
          email: "admin@keyed.example",
          displayName: "Admin",
          role: Role.ORG_ADMIN,
        })
      ).user?.id ?? "";
    const admin = createClient(
      IdentityService,
      withAuthorization(
        async () =>
          `Bearer ${await signer.sign({ subject: adminId, orgId, role: Role.ORG_ADMIN })}`,
      ),
    );
    const { key } = await admin.createApiKey({ name: "uploader", role: Role.MEMBER });
    expect(key).toMatch(/^sk_live_/);
    const byKey = createClient(
      FundService,
      withAuthorization(async () => `Bearer ${key}`),
    );
    const r = await byKey.uploadWorkbook({
      filename: "from the API.csv",
      content: new TextEncoder().encode(
        "Fund,Date,Contribution,Distribution,GP NAV\nKeyed Fund,2021-01-04,100,,\n",
      ),
    });
    expect(r.status).toBe(UploadStatus.ACCEPTED);
    expect((await byKey.listFunds({})).funds.map((f) => f.name)).toEqual(["Keyed Fund"]);
  });

  it("refuses a file over 50 MB with a clear error, storing nothing", async () => {
    const big = new Uint8Array(MAX_UPLOAD_BYTES + 1).fill(0x41);
    const err = await as(Role.MEMBER, org)
      .uploadWorkbook({ filename: "big.csv", content: big })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: Code.InvalidArgument });
    expect((err as Error).message).toMatch(/the file is 52428801 bytes; the limit is 52428800/);
    expect((await as(Role.VIEWER, org).listFunds({})).funds.map((f) => f.filename)).toEqual([
      "template.xlsx",
      "second.csv",
    ]);
  });

  it("answers a workbook with problems with every problem and where it is", async () => {
    const bad = new TextEncoder().encode(
      "Fund,Date,Contribution,Distribution,GP NAV\nA,2020-01-03,-5,,\nA,2020-01-10,,,abc\n",
    );
    const r = await as(Role.MEMBER, org).uploadWorkbook({ filename: "bad.csv", content: bad });
    expect(r.status).toBe(UploadStatus.REJECTED);
    expect(r.problems.map((p) => `${p.sheet}!${p.row}:${p.column}`)).toEqual([
      "csv!2:C (Contribution)",
      "csv!3:E (GP NAV)",
      "csv!0:",
    ]);
  });

  it("refuses a file name that cannot be part of a fund's identity", async () => {
    for (const filename of ["", "a/b.csv", "x|y.csv", "tab\there.csv"]) {
      const err = await as(Role.MEMBER, org)
        .uploadWorkbook({ filename, content: new Uint8Array([1]) })
        .catch((e: unknown) => e);
      expect(err, filename).toMatchObject({ code: Code.InvalidArgument });
    }
  });

  it("lets a viewer read but not upload", async () => {
    const err = await as(Role.VIEWER, org)
      .uploadWorkbook({ filename: "x.csv", content: new Uint8Array() })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: Code.PermissionDenied });
  });
});
