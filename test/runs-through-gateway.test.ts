import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { copyFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { Role } from "@portal/api";
import { FundService } from "@portal/api/funds/v1/funds";
import { RunService, RunStatus } from "@portal/api/runs/v1/runs";
import { SamplerService } from "@portal/api/sampler/v1/sampler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPortal, type TestPortal } from "./embedded-portal.js";

const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * A run submitted through the gateway in embedded mode: the latest fund version comes from the
 * funds service, the model input from object storage, and the run's log can be read while an
 * in-process sampler worker fits it.
 */
describe("submitting a run through the gateway (embedded)", () => {
  let tp: TestPortal;
  let dataDir: string;
  let transport: TestPortal["transport"];
  let headers: TestPortal["headers"];
  const org = randomUUID();

  beforeAll(async () => {
    tp = await startTestPortal("portal-runs-");
    ({ dataDir, transport, headers } = tp);
  });
  afterAll(async () => {
    await tp?.stop();
  });

  it("runs the fund's latest version from the funds service, with its log readable live", async () => {
    const funds = createClient(FundService, transport);
    const runs = createClient(RunService, transport);
    const member = await headers(Role.MEMBER, org);
    const csv = [
      "Fund,Date,Contribution,Distribution,NAV",
      "Runs Test Fund,2020-01-10,100,0,",
      "Runs Test Fund,2020-03-27,50,0,148",
      "Runs Test Fund,2020-06-26,0,10,150",
    ].join("\n");
    const upload = await funds.uploadWorkbook(
      { filename: "runs.csv", content: new TextEncoder().encode(csv) },
      member,
    );
    expect(upload.problems).toEqual([]);
    const fund = upload.funds[0];
    if (!fund) throw new Error("the upload stored no fund");
    const { config } = await runs.createModelConfig(
      {
        name: "quick",
        configJson: JSON.stringify({
          windows: "last",
          sampler: { chains: 2, warmup: 2000, draws: 2000 },
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

    // The latest version is resolved through the funds service; without its model input the
    // run is refused, naming the version.
    const refused = await submit().catch((e: unknown) => ConnectError.from(e));
    expect(refused).toBeInstanceOf(ConnectError);
    expect((refused as ConnectError).code).toBe(Code.FailedPrecondition);
    expect((refused as ConnectError).rawMessage).toContain(
      `version ${fund.dataHash} has no model input`,
    );

    // The model input of that version (MODEL.md section 10, with market series).
    const sim = join(dataDir, "sim.json");
    await promisify(execFile)(
      process.execPath,
      ["packages/navcast/bin/navcast.js", "simulate", "--out", sim, "--years", "2", "--seed", "4"],
      { cwd: root },
    );
    const dir = join(dataDir, "objects", "model-inputs", org, fund.fundIdentityHash);
    await mkdir(dir, { recursive: true });
    await copyFile(sim, join(dir, `${fund.dataHash}.json`));

    const { run } = await submit();
    expect(run?.funds).toEqual([
      expect.objectContaining({ fundIdentityHash: fund.fundIdentityHash, dataHash: fund.dataHash }),
    ]);
    const runId = run?.runId ?? "";
    const viewer = await headers(Role.VIEWER, org);
    // Follow the log as the portal does, until the worker has reported from inside the fit.
    let lines: string[] = [];
    while (!lines.some((l) => l.startsWith("fitting"))) {
      lines = (await runs.listRunLogs({ runId }, viewer)).lines.map((l) => l.message);
      await new Promise((r) => setTimeout(r, 50));
    }
    const tasks = (await runs.listRunTasks({ runId }, viewer)).tasks;
    expect(tasks).toHaveLength(1);
    expect(tasks[0]?.worker).not.toBe("");

    // The worker reports the task it is running (super admins only).
    const status = await createClient(SamplerService, transport).getWorkerStatus(
      {},
      await headers(Role.SUPER_ADMIN, ""),
    );
    expect(status.active.map((a) => a.runId)).toEqual([runId]);
    expect(status.concurrency).toBe(1);

    const cancelled = await runs.cancelRun({ runId }, member);
    expect(cancelled.run?.status).toBe(RunStatus.CANCELLED);
    await expect(
      runs.getRun({ runId }, await headers(Role.ORG_ADMIN, randomUUID())),
    ).rejects.toThrow(/not found/);
    expect(await readFile(sim, "utf8")).toContain('"market_log_return"');
  });
});
