export type {
  BusEvent,
  ConsumeOptions,
  EventBus,
  SubscribeOptions,
  Subscription,
  Task,
  TaskControl,
  WorkQueue,
} from "./bus/bus.js";
export { createDatabaseBus } from "./bus/db-bus.js";
export { createNatsBus } from "./bus/nats-bus.js";
export type { Clients } from "./clients.js";
export { inProcessClients, networkClients, onBehalfOf } from "./clients.js";
export {
  kLog,
  kPrincipal,
  kPrincipalToken,
  kRequestId,
  PRINCIPAL_HEADER,
  REQUEST_ID_HEADER,
  requirePrincipal,
} from "./context.js";
export type { Database, DatabaseOptions, Db, NarrowRole, Tx } from "./db/database.js";
export { APP_ROLE, CROSS_ORG_ROLE, LOGIN_ROLE, openDatabase } from "./db/database.js";
export { rowsOf } from "./db/rows.js";
export type { BaseEnv } from "./env.js";
export { baseEnvSchema, ConfigError, parseEnv } from "./env.js";
export { authorize, requestLog } from "./interceptors.js";
export type { Logger } from "./logger.js";
export { createLogger } from "./logger.js";
export type { Platform } from "./platform.js";
export { embeddedKeys, openPlatform } from "./platform.js";
export type { Principal, PrincipalSigner, PrincipalVerifier } from "./principal.js";
export {
  createLocalPrincipalVerifier,
  createPrincipalSigner,
  createRemotePrincipalVerifier,
  generatePrincipalKey,
  hasRole,
  roleName,
} from "./principal.js";
export type { Listener } from "./server/listen.js";
export { listen } from "./server/listen.js";
export type { HttpRequest, HttpResponse, HttpRoutes } from "./server/serve.js";
export { sendJson, serve } from "./server/serve.js";
export { onShutdown } from "./server/shutdown.js";
export type { ServiceContext, ServiceDefinition } from "./service.js";
export { infoRoutes, serviceInfo, VERSION } from "./service.js";
export type { StandaloneEnv } from "./standalone.js";
export { principalVerifier, runStandalone, standaloneEnvSchema } from "./standalone.js";
export { createLocalStore } from "./storage/local-store.js";
export type { ObjectStore } from "./storage/object-store.js";
export { ObjectNotFound } from "./storage/object-store.js";
export { createS3Store } from "./storage/s3-store.js";
export { startTracing, traceIncoming, traceOutgoing } from "./tracing.js";
