import { z } from "zod";

/** A configuration problem, naming every missing or bad environment variable at once. */
export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      `invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

/**
 * Parses `src` (normally `process.env`) with a zod object schema. Throws a ConfigError that names
 * each bad variable, so an operator can fix them all in one go.
 */
export function parseEnv<S extends z.ZodObject>(
  schema: S,
  src: Record<string, string | undefined>,
): z.infer<S> {
  // Empty strings mean "not set": `FOO= node main.js` should fall back to the default.
  const cleaned = Object.fromEntries(
    Object.entries(src).filter(([, v]) => v !== undefined && v !== ""),
  );
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => ({
      variable: issue.path.map(String).join(".") || "(environment)",
      message:
        issue.code === "invalid_type" && issue.input === undefined ? "is required" : issue.message,
    })),
  );
}

const logLevel = z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]);

/** Variables every service reads; a service extends this with its own. */
export const baseEnvSchema = z.object({
  /** Unset: embedded PGlite under DATA_DIR. Set: PostgreSQL. */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /** Unset: the database-backed in-process bus and queue. Set: NATS JetStream. */
  NATS_URL: z
    .string()
    .regex(/^(nats|tls):\/\/\S+$/, "must look like nats://host:4222")
    .optional(),
  /** Prefix of JetStream stream names and subjects: deployments (and test runs) never share. */
  NATS_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, "must be letters, digits, _ or -")
    .default("PORTAL"),
  /** Unset: a local folder under DATA_DIR. Set: this S3 bucket. */
  S3_BUCKET: z.string().min(3).optional(),
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().default("us-east-1"),
  S3_FORCE_PATH_STYLE: z.stringbool().default(false),
  DATA_DIR: z.string().default("./.data"),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default("0.0.0.0"),
  LOG_LEVEL: logLevel.default("info"),
  /** OTLP/HTTP endpoint for traces; unset: tracing runs without an exporter. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  /** JWKS of the identity service, for verifying principal tokens. Unset in embedded mode. */
  IDENTITY_JWKS_URL: z.url().optional(),
  /** Private JWK (JSON) that signs principal tokens; identity and gateway only. */
  PRINCIPAL_SIGNING_JWK: z.string().optional(),
  /** Seconds to finish in-flight work after SIGTERM before exiting. */
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().positive().default(25),
});

export type BaseEnv = z.infer<typeof baseEnvSchema>;
