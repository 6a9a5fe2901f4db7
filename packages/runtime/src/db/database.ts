import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import { sql } from "drizzle-orm";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";

export type Db = PgDatabase<PgQueryResultHKT>;
export type Tx = PgTransaction<
  PgQueryResultHKT,
  Record<string, never>,
  ExtractTablesWithRelations<Record<string, never>>
>;

/** The application role (see runtime migration 0001): cannot bypass row-level security. */
export const APP_ROLE = "portal_app";
/** Reads what a login needs before its organisation is known (runtime migration 0002). */
export const LOGIN_ROLE = "portal_login";
/** The super-admin path across organisations; callers write an admin-log row alongside. */
export const CROSS_ORG_ROLE = "portal_cross_org";
export type NarrowRole = typeof LOGIN_ROLE | typeof CROSS_ORG_ROLE;

/** Where migrations of every service record what has run: one table per service. */
const MIGRATIONS_SCHEMA = "portal_migrations";
const RUNTIME_MIGRATIONS = fileURLToPath(new URL("../../migrations", import.meta.url));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The database seam: PGlite in a data folder (embedded) or PostgreSQL (distributed), both through
 * drizzle-orm, with the same migrations and the same tenancy helper.
 */
export interface Database {
  readonly kind: "pglite" | "postgres";
  /** Drizzle over the connection, as the connecting user: for migrations and admin tasks only. */
  readonly db: Db;
  /** Applies a service's migrations from `folder` (drizzle-kit layout), serialised across processes. */
  migrate(service: string, folder: string): Promise<void>;
  /**
   * Runs `fn` in one transaction under the application role with `app.current_org_id` set to
   * `orgId`, so row-level security confines every statement to that organisation.
   */
  withOrg<T>(orgId: string, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Runs `fn` in one transaction under the application role with no organisation set. */
  withApp<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in one transaction under one of the narrow roles of runtime migration 0002, with no
   * organisation set: `portal_login` (pre-authentication lookups, column-level SELECT only) or
   * `portal_cross_org` (audited super-admin access). Neither bypasses row-level security; tables
   * opt in with their own policies.
   */
  withRole<T>(role: NarrowRole, fn: (tx: Tx) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL URL; unset selects PGlite. */
  url?: string | undefined;
  /** PGlite data folder; unset keeps PGlite in memory (tests). */
  dataDir?: string | undefined;
  poolSize?: number;
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  const db = opts.url
    ? await openPostgres(opts.url, opts.poolSize ?? 10)
    : await openPglite(opts.dataDir);
  await db.migrate("runtime", RUNTIME_MIGRATIONS);
  return db;
}

function scoped(db: Db) {
  const run = <T>(orgId: string | undefined, fn: (tx: Tx) => Promise<T>, role: string = APP_ROLE) =>
    db.transaction(async (tx) => {
      await tx.execute(sql.raw(`SET LOCAL ROLE ${role}`));
      if (orgId !== undefined) {
        if (!UUID.test(orgId))
          throw new Error(`withOrg: organisation id ${JSON.stringify(orgId)} is not a uuid`);
        await tx.execute(sql`SELECT set_config('app.current_org_id', ${orgId}, true)`);
      }
      return fn(tx as unknown as Tx);
    });
  return {
    withOrg: <T>(orgId: string, fn: (tx: Tx) => Promise<T>) => run(orgId, fn),
    withApp: <T>(fn: (tx: Tx) => Promise<T>) => run(undefined, fn),
    withRole: <T>(role: NarrowRole, fn: (tx: Tx) => Promise<T>) => {
      if (role !== LOGIN_ROLE && role !== CROSS_ORG_ROLE) throw new Error(`withRole: ${role}`);
      return run(undefined, fn, role);
    },
  };
}

async function openPglite(dataDir: string | undefined): Promise<Database> {
  const client = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
  const db = drizzlePglite(client) as unknown as Db;
  return {
    kind: "pglite",
    db,
    ...scoped(db),
    async migrate(service, folder) {
      // PGlite has a single connection: migrations cannot interleave.
      await migratePglite(drizzlePglite(client), {
        migrationsFolder: folder,
        migrationsSchema: MIGRATIONS_SCHEMA,
        migrationsTable: service,
      });
    },
    async ping() {
      await client.query("SELECT 1");
    },
    async close() {
      await client.close();
    },
  };
}

async function openPostgres(url: string, max: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max });
  // An idle client's error (the server restarted) must not crash the process; the pool replaces it.
  pool.on("error", () => {});
  const db = drizzlePg(pool) as unknown as Db;
  return {
    kind: "postgres",
    db,
    ...scoped(db),
    async migrate(service, folder) {
      // Several replicas may start at once: one session-level advisory lock makes them take turns.
      const client = await pool.connect();
      try {
        await client.query("SELECT pg_advisory_lock(hashtext('portal-migrations'))");
        try {
          await migratePg(drizzlePg(client), {
            migrationsFolder: folder,
            migrationsSchema: MIGRATIONS_SCHEMA,
            migrationsTable: service,
          });
        } finally {
          await client.query("SELECT pg_advisory_unlock(hashtext('portal-migrations'))");
        }
      } finally {
        client.release();
      }
    },
    async ping() {
      await pool.query("SELECT 1");
    },
    async close() {
      await pool.end();
    },
  };
}
