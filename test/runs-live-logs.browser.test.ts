import { execFile } from "node:child_process";
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createClient } from "@connectrpc/connect";
import { Role } from "@portal/api";
import { FundService } from "@portal/api/funds/v1/funds";
import { IdentityService } from "@portal/api/identity/v1/identity";
import { RunService } from "@portal/api/runs/v1/runs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN,
  type BrowserPortal,
  haveChromium,
  MEMBER,
  startBrowserPortal,
} from "./browser-portal.js";
import type { TestPortal } from "./embedded-portal.js";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The page's visible state of the run, read from the DOM. */
const runState = (page: Page) =>
  page.evaluate(() => ({
    status: document.querySelector<HTMLElement>("#app")?.dataset.runStatus ?? "",
    overall: Number(document.querySelector<HTMLProgressElement>("#run-progress")?.value ?? -1),
    lines: [...document.querySelectorAll("#run-log li .message")].map((l) => l.textContent ?? ""),
  }));

/**
 * The web UI follows a run live: a member signs in in a real browser (Debian's Chromium), opens
 * the run from the runs list, and sees log lines and progress arrive while the in-process sampler
 * fits it; after the run has completed, a reload still shows its whole log.
 */
describe.skipIf(!haveChromium)("the run page in the browser (embedded)", () => {
  let bp: BrowserPortal;
  let tp: TestPortal;
  let browser: Browser;

  beforeAll(async () => {
    bp = await startBrowserPortal("portal-ui-");
    ({ tp, browser } = bp);
  });
  afterAll(async () => {
    await bp?.stop();
  });

  it("shows a run's log lines and progress while it runs, and its whole log after a reload", async () => {
    const { transport, dataDir } = tp;
    // An organisation with a member, made by the platform's super admin.
    const admin = await tp.login(ADMIN.email, ADMIN.password);
    const identity = createClient(IdentityService, transport);
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
    const member = await tp.login(MEMBER.email, MEMBER.password);

    // A fund with its model input, a small config, and the run (submitted through the gateway).
    const csv = [
      "Fund,Date,Contribution,Distribution,NAV",
      "Live Log Fund,2020-01-10,100,0,",
      "Live Log Fund,2020-03-27,50,0,148",
      "Live Log Fund,2020-06-26,0,10,150",
    ].join("\n");
    const upload = await createClient(FundService, transport).uploadWorkbook(
      { filename: "live.csv", content: new TextEncoder().encode(csv) },
      member,
    );
    const fund = upload.funds[0];
    if (!fund) throw new Error(`the upload stored no fund: ${JSON.stringify(upload.problems)}`);
    const sim = join(dataDir, "sim.json");
    await promisify(execFile)(
      process.execPath,
      ["packages/navcast/bin/navcast.js", "simulate", "--out", sim, "--years", "2", "--seed", "4"],
      { cwd: root },
    );
    const dir = join(dataDir, "objects", "model-inputs", orgId, fund.fundIdentityHash);
    await mkdir(dir, { recursive: true });
    await copyFile(sim, join(dir, `${fund.dataHash}.json`));

    // Sign in through the page, as a user would (before the run starts, so that the page sees it
    // from its beginning).
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(`${tp.baseUrl}/`);
    await page.getByLabel("Email").fill(MEMBER.email);
    await page.getByLabel("Password").fill(MEMBER.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("#runs-summary").getByText("No runs yet.").waitFor();

    const runs = createClient(RunService, transport);
    const { config } = await runs.createModelConfig(
      {
        name: "live",
        configJson: JSON.stringify({
          windows: "last",
          // no extension rounds: 1,000 draws seldom reach a bulk-ESS of 400, and this test is
          // about the log and progress, within a fixed time
          sampler: { chains: 2, warmup: 500, draws: 500, seed: 3, extend_rounds: 0 },
        }),
      },
      member,
    );
    const { run } = await runs.submitRun(
      {
        configId: config?.configId ?? "",
        funds: [{ fundIdentityHash: fund.fundIdentityHash, dataHash: "" }],
      },
      member,
    );
    const runId = run?.runId ?? "";

    // The runs list shows the run with its status; its link opens the run page.
    await page.goto(`${tp.baseUrl}/runs`);
    const link = page.locator(`a[data-run-id="${runId}"]`);
    await link.waitFor();
    await expect(page.locator("#runs-table tbody tr").count()).resolves.toBe(1);
    await link.click();
    await page.waitForURL(`**/runs/${runId}`);

    // While the run executes: log lines from the worker and a task's progress above zero.
    await page.waitForFunction(
      () => {
        const app = document.querySelector<HTMLElement>("#app");
        const task = document.querySelector<HTMLProgressElement>("#run-tasks tbody progress");
        const lines = [...document.querySelectorAll("#run-log li .message")].map(
          (l) => l.textContent ?? "",
        );
        return (
          app?.dataset.runStatus === "running" &&
          (task?.value ?? 0) > 0 &&
          lines.some((l) => l.startsWith("fitting"))
        );
      },
      undefined,
      { timeout: 90_000 },
    );
    const live = await runState(page);
    expect(live.status).toBe("running");
    expect(live.overall).toBeGreaterThan(0);
    expect(live.overall).toBeLessThan(1);
    await expect(
      page.getByRole("progressbar", { name: "Overall progress" }).isVisible(),
    ).resolves.toBe(true);

    // The run completes; the page says so and keeps the log, which grew past the live lines.
    await page.locator("#log-state[data-complete]").waitFor({ timeout: 120_000 });
    const done = await runState(page);
    expect(done.status).toBe("completed");
    expect(done.overall).toBe(1);
    expect(done.lines.slice(0, live.lines.length)).toEqual(live.lines);
    expect(done.lines.some((l) => l.startsWith("window "))).toBe(true);
    const seqs = await page
      .locator("#run-log li")
      .evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.seq)));
    expect(new Set(seqs).size).toBe(seqs.length); // no line shown twice

    // A reload reads the finished run's whole log back from the runs service.
    await page.reload();
    await page.locator("#log-state[data-complete]").waitFor({ timeout: 30_000 });
    const reloaded = await runState(page);
    expect(reloaded.status).toBe("completed");
    expect(reloaded.lines).toEqual(done.lines);
    const stored = (await runs.listRunLogs({ runId }, member)).lines.map((l) => l.message);
    expect(reloaded.lines).toEqual(stored);
    expect(pageErrors).toEqual([]);
  }, 240_000);

  it("shows a sign-in error and an unknown run's error to the user", async () => {
    const page = await browser.newPage();
    await page.goto(`${tp.baseUrl}/runs`);
    await page.getByLabel("Email").fill(MEMBER.email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toBe("wrong email or password");
    await page.getByLabel("Password").fill(MEMBER.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("#runs-table").waitFor();
    const unknown = `${tp.baseUrl}/runs/00000000-0000-4000-8000-000000000000`;
    await page.goto(unknown);
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^Could not load the run: .*not found/);

    // Signed out, a run's address asks for a sign-in first and then shows the run's page.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await page.goto(unknown);
    await page.getByLabel("Email").fill(MEMBER.email);
    await page.getByLabel("Password").fill(MEMBER.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").waitFor();
    expect(page.url()).toBe(unknown);
  });
});
