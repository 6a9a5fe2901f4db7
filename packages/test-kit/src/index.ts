export { createTestDatabase, isPortOpen, natsUp, postgresUp, realServices, requireRealServices } from "./real-services.js";
export { TEST_S3_CREDENTIALS, startS3Server } from "./s3-server.js";
