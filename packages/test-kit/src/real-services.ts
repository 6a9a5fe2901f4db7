import { randomBytes } from "node:crypto";
import { connect as netConnect } from "node:net";
import pg from "pg";

/**
 * Where the real services tests talk to. CI (and a developer who ran .ci/run) has PostgreSQL and
 * NATS on their standard ports; the S3-compatible server is started by the global test setup.
 */
export const realServices = {
  postgresAdminUrl: process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
  natsUrl: process.env.TEST_NATS_URL ?? "nats://127.0.0.1:4222",
  /** Set by the global setup once the S3-compatible server is listening. */
  get s3Endpoint(): string | undefined {
    return process.env.TEST_S3_ENDPOINT;
  },
};

/**
 * When set (CI sets it), a real service that does not answer fails the run instead of skipping
 * the tests that need it.
 */
export const requireRealServices = process.env.REQUIRE_REAL_SERVICES === "1";

export async function isPortOpen(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = netConnect({ host: u.hostname, port: Number(u.port) }, () => {
      s.end();
      resolve(true);
    });
    s.on("error", () => resolve(false));
    s.setTimeout(2000, () => {
      s.destroy();
      resolve(false);
    });
  });
}

/** Creates an empty PostgreSQL database for one test file; drop() removes it. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `portal_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: realServices.postgresAdminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(realServices.postgresAdminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: realServices.postgresAdminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** True when the global setup found PostgreSQL listening. */
export const postgresUp = (): boolean => process.env.TEST_POSTGRES_UP === "1";
/** True when the global setup found NATS listening. */
export const natsUp = (): boolean => process.env.TEST_NATS_UP === "1";
