/**
 * Model configs: validated with @portal/navcast's run-config parser, stored with their
 * config_hash, never updated or deleted. A new version or a deletion is a new history row; the
 * newest row of a config is its current state. Every use re-derives the hash from the stored
 * JSON, so a row changed behind the application's back is refused.
 */

import type { RunConfig } from "@portal/navcast";
import { ConfigError, configHash, parseRunConfig } from "@portal/navcast";
import type { Database, Tx } from "@portal/runtime";
import { rowsOf } from "@portal/runtime";
import { sql } from "drizzle-orm";
import { invalid, notFound, RunsError } from "./errors.js";
import { iso, json, str } from "./sql-values.js";

export interface ConfigVersion {
  configId: string;
  name: string;
  version: number;
  config: Record<string, unknown>;
  configHash: string;
  deleted: boolean;
  createdBy: string;
  createdAt: string;
}

const LIMITS = { chains: [1, 16], warmup: [0, 20_000], draws: [1, 20_000] } as const;

/** Parses and checks a config object; errors name the field. */
export function validateConfig(raw: unknown): RunConfig {
  let cfg: RunConfig;
  try {
    cfg = parseRunConfig(raw);
  } catch (e) {
    if (e instanceof ConfigError) throw invalid(`config: ${e.message}`, e.context);
    throw e;
  }
  for (const [k, [lo, hi]] of Object.entries(LIMITS)) {
    const v = cfg.sampler[k as keyof typeof LIMITS];
    if (!Number.isInteger(v) || v < lo || v > hi)
      throw invalid(
        `config: sampler.${k} must be an integer from ${lo} to ${hi}, got ${String(v)}`,
        {
          field: `sampler.${k}`,
        },
      );
  }
  if (!Number.isInteger(cfg.sampler.seed))
    throw invalid("config: sampler.seed must be an integer", { field: "sampler.seed" });
  return cfg;
}

/** Parses the JSON text of a config. */
export function parseConfigJson(text: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw invalid(`config_json is not valid JSON: ${(e as Error).message}`, {
      field: "config_json",
    });
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw invalid("config_json must be a JSON object", { field: "config_json" });
  validateConfig(raw);
  return raw as Record<string, unknown>;
}

const toVersion = (r: Record<string, unknown>): ConfigVersion => ({
  configId: str(r.config_id),
  name: str(r.name),
  version: Number(r.version),
  config: json(r.config),
  configHash: str(r.config_hash),
  deleted: r.action === "delete",
  createdBy: str(r.created_by),
  createdAt: iso(r.created_at),
});

const CURRENT = sql`SELECT DISTINCT ON (config_id) config_id, name, version, action, config, config_hash, created_by, created_at
  FROM runs.model_config_history`;

/** Stores a config, or a new version of the current config with the same name. */
export async function createConfig(
  db: Database,
  orgId: string,
  by: string,
  name: string,
  configJson: string,
): Promise<ConfigVersion> {
  const n = name.normalize("NFC").trim();
  if (!n || n.length > 100) throw invalid("name must be 1-100 characters", { field: "name" });
  const config = parseConfigJson(configJson);
  const hash = configHash(validateConfig(config));
  return db.withOrg(orgId, async (tx) => {
    // One writer per name at a time, so two creates of a new name make versions 1 and 2.
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`runs-config:${orgId}:${n}`}))`);
    const current = rowsOf(
      await tx.execute(sql`SELECT * FROM (${CURRENT} ORDER BY config_id, version DESC) c
        WHERE c.name = ${n} AND c.action = 'create'`),
    )[0];
    const rows = rowsOf(
      await tx.execute(sql`INSERT INTO runs.model_config_history
          (org_id, config_id, version, name, action, config, config_hash, created_by)
        VALUES (${orgId}, ${current ? str(current.config_id) : sql`gen_random_uuid()`},
          ${current ? Number(current.version) + 1 : 1}, ${n}, 'create', ${JSON.stringify(config)}::jsonb, ${hash}, ${by})
        RETURNING *`),
    );
    return toVersion(rows[0] ?? {});
  });
}

/** The organisation's current configs, by name. */
export async function listConfigs(db: Database, orgId: string): Promise<ConfigVersion[]> {
  const rows = await db.withOrg(orgId, async (tx) =>
    rowsOf(
      await tx.execute(sql`SELECT * FROM (${CURRENT} ORDER BY config_id, version DESC) c
        WHERE c.action = 'create' ORDER BY c.name`),
    ),
  );
  return rows.map(toVersion);
}

export async function configHistory(
  db: Database,
  orgId: string,
  configId: string,
): Promise<ConfigVersion[]> {
  const rows = await db.withOrg(orgId, async (tx) =>
    rowsOf(
      await tx.execute(sql`SELECT * FROM runs.model_config_history
        WHERE config_id = ${configId} ORDER BY version`),
    ),
  );
  if (rows.length === 0) throw notFound(`config ${configId} not found`);
  return rows.map(toVersion);
}

/** Soft delete: appends a deletion that keeps the last config and its hash. */
export async function deleteConfig(
  db: Database,
  orgId: string,
  by: string,
  configId: string,
): Promise<ConfigVersion> {
  return db.withOrg(orgId, async (tx) => {
    const cur = await currentRow(tx, configId);
    const rows = rowsOf(
      await tx.execute(sql`INSERT INTO runs.model_config_history
          (org_id, config_id, version, name, action, config, config_hash, created_by)
        VALUES (${orgId}, ${configId}, ${cur.version + 1}, ${cur.name}, 'delete',
          ${JSON.stringify(cur.config)}::jsonb, ${cur.configHash}, ${by})
        RETURNING *`),
    );
    return toVersion(rows[0] ?? {});
  });
}

async function currentRow(tx: Tx, configId: string): Promise<ConfigVersion> {
  const r = rowsOf(
    await tx.execute(sql`SELECT * FROM runs.model_config_history WHERE config_id = ${configId}
      ORDER BY version DESC LIMIT 1`),
  )[0];
  if (!r) throw notFound(`config ${configId} not found`);
  const v = toVersion(r);
  if (v.deleted) throw notFound(`config ${configId} was deleted`);
  return v;
}

/**
 * The current version of a config for a run, after checking that its stored JSON still hashes
 * to its config_hash: a mismatch means the row was changed outside the application.
 */
export async function loadConfigForRun(
  tx: Tx,
  configId: string,
): Promise<ConfigVersion & { resolved: RunConfig }> {
  const v = await currentRow(tx, configId);
  let resolved: RunConfig;
  let actual: string;
  try {
    resolved = validateConfig(v.config);
    actual = configHash(resolved);
  } catch {
    actual = "(unparseable)";
    resolved = undefined as never;
  }
  if (actual !== v.configHash)
    throw new RunsError(
      "tampered",
      `config ${configId} version ${v.version} failed its integrity check (stored hash ${v.configHash}, content hashes to ${actual}); refusing to run it`,
      { configId, version: v.version },
    );
  return { ...v, resolved };
}
