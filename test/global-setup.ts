import {
  isPortOpen,
  realServices,
  requireRealServices,
  startS3Server,
} from "../packages/test-kit/src/index.js";

/**
 * Starts the S3-compatible server every storage test shares, and checks that PostgreSQL and NATS
 * answer. Where they don't, their tests are reported as skipped, except under
 * REQUIRE_REAL_SERVICES=1 (CI), where the run fails here.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const s3 = await startS3Server(["portal-test"]);
  process.env.TEST_S3_ENDPOINT = s3.endpoint;
  const pgUp = await isPortOpen(realServices.postgresAdminUrl);
  const natsUp = await isPortOpen(realServices.natsUrl);
  process.env.TEST_POSTGRES_UP = pgUp ? "1" : "0";
  process.env.TEST_NATS_UP = natsUp ? "1" : "0";
  const missing = [!pgUp && "PostgreSQL", !natsUp && "NATS"].filter(Boolean);
  if (missing.length > 0) {
    const msg = `${missing.join(" and ")} not reachable (${realServices.postgresAdminUrl}, ${realServices.natsUrl})`;
    if (requireRealServices) throw new Error(`${msg}; REQUIRE_REAL_SERVICES=1 needs them`);
    console.warn(`${msg}: their tests will be skipped. Run .ci/run to install and start them.`);
  }
  return () => s3.stop();
}
