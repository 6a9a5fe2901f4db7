import { definitions } from "@portal/embedded";
import type { Database } from "@portal/runtime";
import { APP_ROLE, CROSS_ORG_ROLE, LOGIN_ROLE, openDatabase } from "@portal/runtime";
import { createTestDatabase, postgresUp } from "@portal/test-kit";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Every table, in any schema, that has an org_id column, and what protects it: RLS enabled,
 * forced (so the owner is bound too), and a policy for everyone (or the application role) whose
 * condition compares org_id with the transaction's organisation.
 */
const CATALOGUE = `
  SELECT n.nspname || '.' || c.relname AS table,
         c.relrowsecurity AS enabled,
         c.relforcerowsecurity AS forced,
         EXISTS (
           SELECT 1 FROM pg_policy p
           WHERE p.polrelid = c.oid
             AND p.polcmd = '*'
             AND (0 = ANY (p.polroles) OR (SELECT oid FROM pg_roles WHERE rolname = '${APP_ROLE}') = ANY (p.polroles))
             AND pg_get_expr(p.polqual, p.polrelid) ~ 'org_id = runtime\\.current_org_id\\(\\)'
             AND pg_get_expr(p.polwithcheck, p.polrelid) ~ 'org_id = runtime\\.current_org_id\\(\\)'
         ) AS has_policy
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE a.attname = 'org_id' AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  ORDER BY 1`;

interface Row {
  table: string;
  enabled: boolean;
  forced: boolean;
  has_policy: boolean;
}

async function unprotectedOrgTables(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<Row>(CATALOGUE);
  return rows
    .filter((r) => !(r.enabled && r.forced && r.has_policy))
    .map((r) => `${r.table} (enabled=${r.enabled}, forced=${r.forced}, policy=${r.has_policy})`);
}

/** Audit tables: no application role may change or remove a row. */
const APPEND_ONLY = [
  "identity.access_logs",
  "identity.admin_logs",
  // runs: config history is never changed (seed finding #6); logs and finalized results neither
  "runs.model_config_history",
  "runs.run_logs",
  "runs.posterior_results",
  "runs.fund_estimation_history",
  "runs.fund_version_results",
  "runs.simulation_results",
];

describe.skipIf(!postgresUp())("row-level security on every organisation table", () => {
  let t: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Database;
  let client: pg.Client;
  beforeAll(async () => {
    t = await createTestDatabase();
    db = await openDatabase({ url: t.url, poolSize: 2 });
    for (const d of definitions) if (d.migrations) await db.migrate(d.name, d.migrations);
    client = new pg.Client({ connectionString: t.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await db?.close();
    await t?.drop();
  });

  it("finds org_id tables to check (identity's at least)", async () => {
    const { rows } = await client.query<Row>(CATALOGUE);
    expect(rows.map((r) => r.table)).toEqual(
      expect.arrayContaining(["identity.users", "identity.api_keys", "identity.admin_logs"]),
    );
  });

  it("has enabled, forced RLS with an org policy on every table with an org_id column", async () => {
    expect(await unprotectedOrgTables(client)).toEqual([]);
  });

  it("catches a table that forgot the convention, or only half followed it", async () => {
    await client.query("CREATE TABLE public.leaky (id int, org_id uuid)");
    await client.query(
      "CREATE TABLE public.half (id int, org_id uuid); ALTER TABLE public.half ENABLE ROW LEVEL SECURITY",
    );
    await client.query(
      "CREATE TABLE public.wrong (id int, org_id uuid); ALTER TABLE public.wrong ENABLE ROW LEVEL SECURITY;" +
        " ALTER TABLE public.wrong FORCE ROW LEVEL SECURITY; CREATE POLICY p ON public.wrong USING (true)",
    );
    try {
      expect(await unprotectedOrgTables(client)).toEqual([
        "public.half (enabled=true, forced=false, policy=false)",
        "public.leaky (enabled=false, forced=false, policy=false)",
        "public.wrong (enabled=true, forced=true, policy=false)",
      ]);
    } finally {
      await client.query("DROP TABLE public.leaky, public.half, public.wrong");
    }
  });

  it.each(APPEND_ONLY)("keeps %s append-only for every application role", async (table) => {
    for (const role of [APP_ROLE, LOGIN_ROLE, CROSS_ORG_ROLE]) {
      for (const priv of ["UPDATE", "DELETE", "TRUNCATE"]) {
        const { rows } = await client.query<{ ok: boolean }>(
          "SELECT has_table_privilege($1, $2, $3) AS ok",
          [role, table, priv],
        );
        expect(rows[0]?.ok, `${role} ${priv} ${table}`).toBe(false);
      }
    }
    const org = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
    const attempt = await db
      .withOrg(org, (tx) => tx.execute(`UPDATE ${table} SET org_id = org_id` as never))
      .then(
        () => "allowed",
        (e: { cause?: { message?: string }; message: string }) => e.cause?.message ?? e.message,
      );
    expect(attempt).toMatch(/permission denied/);
  });
});
