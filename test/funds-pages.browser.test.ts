import { readFile } from "node:fs/promises";
import { createClient } from "@connectrpc/connect";
import { Role } from "@portal/api";
import { FundService } from "@portal/api/funds/v1/funds";
import { IdentityService } from "@portal/api/identity/v1/identity";
import { parseWorkbook } from "@portal/workbook";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN,
  type BrowserPortal,
  haveChromium,
  MEMBER,
  startBrowserPortal,
} from "./browser-portal.js";
import type { TestPortal } from "./embedded-portal.js";

/** The template's Market sheet names these series; the organisation's admin uploads them first. */
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

/**
 * The funds pages in a real browser (Debian's Chromium): a member signs in, downloads the
 * workbook template from the funds page, uploads it through the form (streamed to the gateway's
 * upload route, with a progress bar) and sees the fund listed at version 1; uploads a workbook
 * with errors and sees every problem with its row and column; opens the fund's page and sees its
 * versions, metrics and the chart of its weekly series.
 */
describe.skipIf(!haveChromium)("the funds pages in the browser (embedded)", () => {
  let bp: BrowserPortal;
  let tp: TestPortal;
  let browser: Browser;

  beforeAll(async () => {
    bp = await startBrowserPortal("portal-ui-funds-");
    ({ tp, browser } = bp);
  });
  afterAll(async () => {
    await bp?.stop();
  });

  it("downloads the template, uploads through the form, shows problems, and the fund's page", async () => {
    const admin = await tp.login(ADMIN.email, ADMIN.password);
    const identity = createClient(IdentityService, tp.transport);
    const { organization } = await identity.createOrganization(
      { slug: "acme", name: "Acme" },
      admin,
    );
    const orgId = organization?.id ?? "";
    await identity.createUser(
      {
        orgId,
        email: MEMBER.email,
        displayName: "Analyst",
        role: Role.MEMBER,
        initialPassword: MEMBER.password,
      },
      admin,
    );
    await createClient(FundService, tp.transport).uploadMarketSeries(
      { filename: "market.csv", content: templateSeries },
      await tp.headers(Role.ORG_ADMIN, orgId),
    );

    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(`${tp.baseUrl}/funds`);
    await page.getByLabel("Email").fill(MEMBER.email);
    await page.getByLabel("Password").fill(MEMBER.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("#funds-summary").getByText("No funds yet").waitFor();
    await expect(
      page.getByRole("navigation").getByRole("link", { name: "Funds" }).count(),
    ).resolves.toBe(1);

    // The template: a real .xlsx (ZIP magic) that the workbook parser reads without a problem.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download the workbook template (.xlsx)" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("portal-upload-template.xlsx");
    const template = new Uint8Array(await readFile(await download.path()));
    expect([...template.subarray(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
    const parsed = await parseWorkbook(template, {
      knownSeries: new Set(["MSCI World", "Listed PE"]),
    });
    expect(parsed.ok).toBe(true);

    // A valid workbook (the template itself) through the form: listed at version 1.
    await page.getByLabel("Workbook").setInputFiles({
      name: "portal-upload-template.xlsx",
      mimeType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      buffer: Buffer.from(template),
    });
    await page.getByRole("button", { name: "Upload" }).click();
    await page
      .locator("#upload-status")
      .getByText(/was stored: .*version 1/)
      .waitFor();
    await expect(
      page
        .getByRole("progressbar", { name: "Upload progress" })
        .evaluate((p) => (p as HTMLProgressElement).value),
    ).resolves.toBe(1);
    const listed = page.locator("#funds-table tbody tr", { hasText: "Example Buyout Fund I" });
    await listed.waitFor();
    await expect(listed.locator(".version").textContent()).resolves.toBe("1");
    await expect(page.locator("#funds-table tbody tr").count()).resolves.toBe(1);
    // Its key metrics arrive in the row (TVPI as a multiple).
    await page.waitForFunction(() =>
      /x$/.test(document.querySelector("#funds-table tbody tr")?.children[4]?.textContent ?? ""),
    );

    // A workbook with errors: every problem in a table, with its row and column.
    const bad = [
      "Fund,Date,Contribution,Distribution,GP NAV",
      "Broken Fund,2021-01-08,abc,,",
      "Broken Fund,not a date,100,,",
      "Broken Fund,2021-02-05,-5,,",
    ].join("\n");
    await page.getByLabel("Workbook").setInputFiles({
      name: "broken.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(bad),
    });
    await page.getByRole("button", { name: "Upload" }).click();
    const problems = page.locator("#upload-problems tbody tr");
    await problems.first().waitFor();
    const rows = await problems.evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")),
    );
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.map((r) => [r[0], r[1], r[2]])).toContainEqual(["csv", "2", "C (Contribution)"]);
    expect(rows.map((r) => [r[1], r[2]])).toContainEqual(["3", "B (Date)"]);
    expect(rows.map((r) => [r[1], r[2]])).toContainEqual(["4", "C (Contribution)"]);
    for (const r of rows) expect(r[3]).not.toBe("");
    await expect(
      page.getByRole("alert").filter({ hasText: "broken.csv was not stored" }).count(),
    ).resolves.toBe(1);
    // Nothing of it was stored.
    await expect(page.locator("#funds-table tbody tr").count()).resolves.toBe(1);

    // The fund's page: versions, history, metrics and the chart's lines.
    await listed.getByRole("link", { name: "Example Buyout Fund I" }).click();
    await page.waitForURL(/\/funds\/[0-9a-f]{64}$/);
    await page.getByRole("heading", { name: "Example Buyout Fund I" }).waitFor();
    const versions = page.locator("#fund-versions tbody tr");
    await versions.first().waitFor();
    await expect(versions.count()).resolves.toBe(1);
    await expect(versions.first().getAttribute("data-version")).resolves.toBe("1");
    await expect(page.locator("#fund-events tbody tr[data-kind='created']").count()).resolves.toBe(
      1,
    );
    const path = page.locator("#fund-chart path[data-series='GP NAV']");
    await path.waitFor();
    const d = (await path.getAttribute("d")) ?? "";
    expect(d).toMatch(/^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+)+$/);
    // Every point inside the chart's box.
    const box = ((await page.locator("#fund-chart").getAttribute("viewBox")) ?? "")
      .split(" ")
      .map(Number);
    for (const m of d.matchAll(/([\d.]+),([\d.]+)/g)) {
      expect(Number(m[1])).toBeLessThanOrEqual(box[2] ?? 0);
      expect(Number(m[2])).toBeLessThanOrEqual(box[3] ?? 0);
    }
    for (const s of ["Cumulative contributions", "Cumulative distributions"])
      await expect(page.locator(`#fund-chart path[data-series='${s}']`).count()).resolves.toBe(1);
    await expect(
      page.getByRole("img", { name: /Cash flows and GP NAV by week/ }).count(),
    ).resolves.toBe(1);
    for (const k of ["irr", "tvpi", "dpi", "rvpi", "ks_pme", "direct_alpha"])
      await expect(page.locator(`#fund-metrics [data-metric='${k}']`).count()).resolves.toBe(1);
    expect(await page.locator("#fund-metrics [data-metric='tvpi']").textContent()).toMatch(
      /^\d+\.\d\dx$/,
    );
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 120_000);
});
