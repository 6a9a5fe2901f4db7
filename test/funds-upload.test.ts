import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { Role } from "@portal/api";
import { FundService, UploadStatus } from "@portal/api/funds/v1/funds";
import type { Embedded } from "@portal/embedded";
import { startEmbedded } from "@portal/embedded";
import { createPrincipalSigner } from "@portal/runtime";
import { parseWorkbook } from "@portal/workbook";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

describe("uploading fund data through the gateway", () => {
  let dataDir: string;
  let portal: Embedded;
  let as: (role: Role, orgId: string) => ReturnType<typeof createClient<typeof FundService>>;
  const org = randomUUID();

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "portal-funds-"));
    portal = await startEmbedded({
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      LOG_LEVEL: "silent",
    });
    const signer = await createPrincipalSigner(
      JSON.parse(await readFile(join(dataDir, "keys", "principal.jwk.json"), "utf8")),
    );
    const transport = createConnectTransport({
      baseUrl: `http://127.0.0.1:${portal.port}/api`,
      httpVersion: "1.1",
    });
    as = (role, orgId) => {
      const client = createClient(FundService, transport);
      const headers = async () => ({
        authorization: `Bearer ${await signer.sign({ subject: `user-${role}`, orgId, role })}`,
      });
      return {
        ...client,
        uploadWorkbook: async (req, opts) =>
          client.uploadWorkbook(req, { ...opts, headers: await headers() }),
        listFunds: async (req, opts) =>
          client.listFunds(req, { ...opts, headers: await headers() }),
        getWorkbookTemplate: async (req, opts) =>
          client.getWorkbookTemplate(req, { ...opts, headers: await headers() }),
      } as typeof client;
    };
  });
  afterAll(async () => {
    await portal?.stop(1000);
    await rm(dataDir, { recursive: true, force: true });
  });

  it("hands out the template, takes it back, and stores a version once", async () => {
    const template = await as(Role.VIEWER, org).getWorkbookTemplate({});
    expect((await parseWorkbook(template.content)).ok).toBe(true);

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
