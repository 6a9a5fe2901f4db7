import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { Role } from "@portal/api";
import { IdentityService } from "@portal/api/identity/v1/identity";
import { RunService, RunStatus, TaskStatus } from "@portal/api/runs/v1/runs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPortal, type TestPortal } from "./embedded-portal.js";

const ADMIN = { email: "root@platform.example", password: "bootstrap password 1" };
const ORG_ADMIN = { email: "admin@acme.example", password: "acme admin password" };
const MEMBER = { email: "analyst@acme.example", password: "analyst password 1" };

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e) => `${Code[ConnectError.from(e).code]}: ${ConnectError.from(e).rawMessage}`,
  );

/**
 * The simulation lab through the gateway (embedded): the platform's super admin, signed in with a
 * session, submits a small study; its simulated funds are fitted by the sampler worker through the
 * same work queue as runs, and the study records recovered against true parameters. Organisation
 * members and admins are refused.
 */
describe("the simulation lab through the gateway (embedded)", () => {
  let tp: TestPortal;

  beforeAll(async () => {
    tp = await startTestPortal("portal-simlab-", {
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    });
  });
  afterAll(async () => {
    await tp?.stop();
  });

  it("runs a super admin's study through the queue and refuses organisation users", async () => {
    const runs = createClient(RunService, tp.transport);
    const admin = await tp.login(ADMIN.email, ADMIN.password);
    expect(admin.role).toBe("super_admin");

    // An organisation with an admin and a member, both signed in with sessions.
    const identity = createClient(IdentityService, tp.transport);
    const { organization } = await identity.createOrganization(
      { slug: "acme", name: "Acme" },
      admin,
    );
    const orgId = organization?.id ?? "";
    for (const [u, role] of [
      [ORG_ADMIN, Role.ORG_ADMIN],
      [MEMBER, Role.MEMBER],
    ] as const) {
      await identity.createUser(
        { orgId, email: u.email, displayName: u.email, role, initialPassword: u.password },
        admin,
      );
    }
    const member = await tp.login(MEMBER.email, MEMBER.password);
    const orgAdmin = await tp.login(ORG_ADMIN.email, ORG_ADMIN.password);

    const study = {
      replications: 2,
      seed: 11,
      skeletonJson: JSON.stringify({ years: 2 }),
      parametersJson: "",
      configJson: JSON.stringify({ sampler: { chains: 2, warmup: 60, draws: 60 } }),
    };
    // Members and organisation admins may not run the lab, whatever credential they use.
    for (const who of [member, orgAdmin, await tp.headers(Role.ORG_ADMIN, orgId)]) {
      expect(await codeOf(runs.submitSimulationStudy(study, who))).toBe(
        "PermissionDenied: SubmitSimulationStudy requires role super_admin",
      );
    }
    // A bad study is refused with what is wrong, before anything runs.
    expect(await codeOf(runs.submitSimulationStudy({ ...study, replications: 0 }, admin))).toMatch(
      /^InvalidArgument: .*replications/,
    );

    const { runId } = await runs.submitSimulationStudy(study, admin);
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await codeOf(runs.getSimulationStudy({ runId }, member))).toBe(
      "PermissionDenied: GetSimulationStudy requires role super_admin",
    );

    // Followed through the gateway until it ends: one task per replication, through the queue.
    let got = await runs.getSimulationStudy({ runId }, admin);
    const deadline = Date.now() + 150_000;
    while (
      got.run?.status !== RunStatus.COMPLETED &&
      got.run?.status !== RunStatus.FAILED &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 250));
      got = await runs.getSimulationStudy({ runId }, admin);
    }
    expect(got.run?.error ?? "").toBe("");
    expect(got.run?.status).toBe(RunStatus.COMPLETED);
    expect(got.run).toMatchObject({ kind: "simulation", tasksTotal: 2, tasksDone: 2 });
    expect(got.run?.resultsHash).toMatch(/^[0-9a-f]{64}$/);

    // Recovered against true values, per replication and parameter.
    const rows = got.results;
    expect(new Set(rows.map((r) => r.replication))).toEqual(new Set([1, 2]));
    const params = new Set(rows.map((r) => r.param));
    for (const p of ["alpha", "beta"]) expect(params).toContain(p);
    for (const rep of [1, 2]) {
      expect(
        rows
          .filter((r) => r.replication === rep)
          .map((r) => r.param)
          .sort(),
      ).toEqual([...params].sort());
    }
    for (const r of rows) {
      expect(Number.isFinite(r.trueValue)).toBe(true);
      expect(r.q05).toBeLessThanOrEqual(r.posteriorMean);
      expect(r.posteriorMean).toBeLessThanOrEqual(r.q95);
      expect(r.covered).toBe(r.q05 <= r.trueValue && r.trueValue <= r.q95);
    }
    // Different replications simulate different funds: their true values differ.
    const alpha = rows.filter((r) => r.param === "alpha").map((r) => r.trueValue);
    expect(new Set(alpha).size).toBe(2);

    // The study's tasks ran on the sampler worker and logged like any run's, under the platform
    // organisation, which is the super admin's own: their session reads them.
    expect(admin.orgId).toBe("00000000-0000-4000-8000-000000000000");
    const tasks = (await runs.listRunTasks({ runId }, admin)).tasks;
    expect(tasks).toHaveLength(2);
    for (const t of tasks) {
      expect(t.status).toBe(TaskStatus.SUCCEEDED);
      expect(t.worker).not.toBe("");
    }
    const log = (await runs.listRunLogs({ runId }, admin)).lines.map((l) => l.message);
    expect(log.filter((l) => l.startsWith("fitting"))).toHaveLength(2);
    expect((await runs.getRun({ runId }, admin)).run?.kind).toBe("simulation");
    expect((await runs.listRuns({}, admin)).runs.map((r) => r.runId)).toContain(runId);
    // The organisation sees none of it.
    expect((await runs.listRuns({}, member)).runs.map((r) => r.runId)).not.toContain(runId);
  }, 240_000);
});
