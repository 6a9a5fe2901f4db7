export {
  createTestDatabase,
  isPortOpen,
  natsUp,
  postgresUp,
  realServices,
  requireRealServices,
} from "./real-services.js";
export { startS3Server, TEST_S3_CREDENTIALS } from "./s3-server.js";
