import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { Role } from "@portal/api";
import { FundService } from "@portal/api/funds/v1/funds";
import { RunService, RunStatus } from "@portal/api/runs/v1/runs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPortal, type TestPortal } from "./embedded-portal.js";

/**
 * An uploaded fund becomes runnable once it has a market config: the funds service writes its
 * model input (MODEL.md section 10) at `model-inputs/<org>/<fund>/<data_hash>.json`, and the runs
 * service plans the run from it (embedded mode, through the gateway).
 */
describe("model inputs of uploaded funds (embedded, through the gateway)", () => {
  let tp: TestPortal;
  let dataDir: string;
  let transport: TestPortal["transport"];
  let headers: TestPortal["headers"];
  const org = randomUUID();

  beforeAll(async () => {
    tp = await startTestPortal("portal-inputs-");
    ({ dataDir, transport, headers } = tp);
  });
  afterAll(async () => {
    await tp?.stop();
  });

  it("refuses a run before the fund has a market config, and fits it once it has one", async () => {
    const funds = createClient(FundService, transport);
    const runs = createClient(RunService, transport);
    const member = await headers(Role.MEMBER, org);
    const admin = await headers(Role.ORG_ADMIN, org);

    // Weekly market and comparable returns on Fridays through the fund's life.
    const lines = ["Date,World,Peers"];
    let seed = 7;
    const noise = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31 - 0.5;
    };
    for (let i = 0; i < 70; i++) {
      const d = new Date(Date.UTC(2020, 0, 3) + i * 7 * 86_400_000).toISOString().slice(0, 10);
      const world = i === 1 ? 0.003 : Math.round(noise() * 40_000) / 1_000_000;
      const peers = Math.round((0.8 * world + noise() * 0.03) * 1_000_000) / 1_000_000;
      lines.push(`${d},${world},${i === 5 ? "" : peers}`);
    }
    const series = await funds.uploadMarketSeries(
      { filename: "market.csv", content: new TextEncoder().encode(lines.join("\n")) },
      admin,
    );
    expect(series.problems).toEqual([]);

    const csv = [
      "Fund,Date,Contribution,Distribution,NAV",
      "Input Fund,2020-01-10,100,0,",
      "Input Fund,2020-03-27,50,0,148",
      "Input Fund,2020-06-26,0,10,150",
      "Input Fund,2020-12-25,0,20,160",
    ].join("\n");
    const upload = await funds.uploadWorkbook(
      { filename: "inputs.csv", content: new TextEncoder().encode(csv) },
      member,
    );
    expect(upload.problems).toEqual([]);
    const fund = upload.funds[0];
    if (!fund) throw new Error("the upload stored no fund");
    const { config } = await runs.createModelConfig(
      {
        name: "tiny",
        configJson: JSON.stringify({
          windows: "last",
          sampler: { chains: 1, warmup: 20, draws: 20 },
        }),
      },
      member,
    );
    const submit = () =>
      runs.submitRun(
        {
          configId: config?.configId ?? "",
          funds: [{ fundIdentityHash: fund.fundIdentityHash, dataHash: "" }],
        },
        member,
      );

    // No market config: no model input, and the run is refused naming it.
    const refused = await submit().catch((e: unknown) => ConnectError.from(e));
    expect((refused as ConnectError).code).toBe(Code.FailedPrecondition);
    expect((refused as ConnectError).rawMessage).toContain(
      `version ${fund.dataHash} has no model input`,
    );

    await funds.setFundMarketConfig(
      {
        fundIdentityHash: fund.fundIdentityHash,
        regimes: [{ from: "", market: "World", comparable: "Peers" }],
      },
      admin,
    );
    const stored = JSON.parse(
      await readFile(
        join(
          dataDir,
          "objects",
          "model-inputs",
          org,
          fund.fundIdentityHash,
          `${fund.dataHash}.json`,
        ),
        "utf8",
      ),
    ) as { weeks: string[]; market_log_return: number[]; comparable_log_return: unknown[] };
    expect(stored.weeks[0]).toBe("2020-01-10");
    expect(stored.weeks.at(-1)).toBe("2020-12-25");
    expect(stored.market_log_return[0]).toBeCloseTo(Math.log(1.003), 14);
    expect(stored.comparable_log_return[4]).toBeNull(); // 2020-02-07 has no Peers return

    const { run } = await submit();
    expect(run?.funds).toEqual([
      expect.objectContaining({ fundIdentityHash: fund.fundIdentityHash, dataHash: fund.dataHash }),
    ]);
    // The fit itself runs (tiny sampler settings) to the end.
    const runId = run?.runId ?? "";
    const terminal = [RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED];
    let status = run?.status;
    for (let i = 0; i < 1200 && !terminal.includes(status ?? RunStatus.UNSPECIFIED); i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await runs.getRun({ runId }, member)).run?.status;
    }
    const tasks = (await runs.listRunTasks({ runId }, member)).tasks;
    expect(tasks.map((t) => t.error)).toEqual([""]);
    expect(status).toBe(RunStatus.COMPLETED);
  });
});
