import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { JWK } from "jose";
import type { EventBus, WorkQueue } from "./bus/bus.js";
import { createDatabaseBus } from "./bus/db-bus.js";
import { createNatsBus } from "./bus/nats-bus.js";
import type { Database } from "./db/database.js";
import { openDatabase } from "./db/database.js";
import type { BaseEnv } from "./env.js";
import { generatePrincipalKey } from "./principal.js";
import { createLocalStore } from "./storage/local-store.js";
import type { ObjectStore } from "./storage/object-store.js";
import { createS3Store } from "./storage/s3-store.js";

/** The seams a service works through, chosen by configuration (DESIGN.md section 3). */
export interface Platform {
  readonly db: Database;
  readonly queue: WorkQueue;
  readonly bus: EventBus;
  readonly storage: ObjectStore;
  /** The local store, when storage is local: the gateway serves its signed downloads. */
  readonly localStore?: ReturnType<typeof createLocalStore>;
  /** Each dependency's health, for readiness and GetServiceInfo. */
  check(): Promise<{ name: string; ok: boolean; detail: string }[]>;
  close(graceMs?: number): Promise<void>;
}

/** Reads a secret from `file`, creating it with `make()` on first use (embedded mode only). */
async function persistentSecret(file: string, make: () => Promise<string>): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch {
    const value = await make();
    await writeFile(file, value, { mode: 0o600, flag: "wx" }).catch(() => {});
    return readFile(file, "utf8");
  }
}

/** Keys the embedded mode keeps in DATA_DIR/keys so that a restart keeps sessions and links valid. */
export async function embeddedKeys(
  dataDir: string,
): Promise<{ principalJwk: JWK; fileSigningKey: Uint8Array }> {
  const dir = join(resolve(dataDir), "keys");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const jwk = await persistentSecret(join(dir, "principal.jwk.json"), async () =>
    JSON.stringify(await generatePrincipalKey()),
  );
  const fileKey = await persistentSecret(join(dir, "files.key"), async () =>
    randomBytes(32).toString("base64"),
  );
  return { principalJwk: JSON.parse(jwk) as JWK, fileSigningKey: Buffer.from(fileKey, "base64") };
}

/**
 * Opens the database, queue, bus and object store that `env` selects: PostgreSQL when
 * DATABASE_URL is set (else PGlite in DATA_DIR/pg), NATS when NATS_URL is set (else the database
 * queue), S3 when S3_BUCKET is set (else DATA_DIR/objects).
 */
export async function openPlatform(
  env: BaseEnv,
  opts: { publicBaseUrl: string; fileSigningKey?: Uint8Array },
): Promise<Platform> {
  const dataDir = resolve(env.DATA_DIR);
  if (!env.DATABASE_URL) await mkdir(dataDir, { recursive: true });
  const db = await openDatabase({
    url: env.DATABASE_URL,
    dataDir: env.DATABASE_URL ? undefined : join(dataDir, "pg"),
  });
  const nats = env.NATS_URL
    ? await createNatsBus({ url: env.NATS_URL, namespace: env.NATS_NAMESPACE })
    : undefined;
  const messaging = nats ?? createDatabaseBus(db);
  let localStore: ReturnType<typeof createLocalStore> | undefined;
  let storage: ObjectStore;
  if (env.S3_BUCKET) {
    storage = createS3Store({
      bucket: env.S3_BUCKET,
      client: {
        region: env.S3_REGION,
        forcePathStyle: env.S3_FORCE_PATH_STYLE,
        ...(env.S3_ENDPOINT ? { endpoint: env.S3_ENDPOINT } : {}),
      },
    });
  } else {
    localStore = createLocalStore({
      root: join(dataDir, "objects"),
      publicBaseUrl: `${opts.publicBaseUrl.replace(/\/$/, "")}/files`,
      signingKey: opts.fileSigningKey ?? randomBytes(32),
    });
    storage = localStore;
  }
  const probe = async (name: string, detail: string, fn: () => Promise<void>) => {
    try {
      await fn();
      return { name, ok: true, detail };
    } catch (err) {
      return { name, ok: false, detail: `${detail}: ${(err as Error).message}` };
    }
  };
  return {
    db,
    queue: messaging.queue,
    bus: messaging.bus,
    storage,
    ...(localStore ? { localStore } : {}),
    check: () =>
      Promise.all([
        probe("database", db.kind, () => db.ping()),
        probe("queue", messaging.queue.kind, async () => {
          if (nats?.nc.isClosed()) throw new Error("connection closed");
        }),
        probe("storage", storage.kind, () => storage.ping()),
      ]),
    async close(graceMs) {
      await messaging.queue.close(graceMs);
      await messaging.bus.close(graceMs);
      await db.close();
    },
  };
}
