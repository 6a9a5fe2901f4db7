import {
  bigserial,
  char,
  date,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

/** The funds service's schema: uploads, fund identities and their data versions. */
export const fundsSchema = pgSchema("funds");

const createdAt = timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

/** Every upload, accepted or rejected: a rejected one is its own audit record, with its problems. */
export const uploads = fundsSchema.table("uploads", {
  id: uuid("id").primaryKey().defaultRandom(),
  orgId: uuid("org_id").notNull(),
  filename: text("filename").notNull(),
  fileIdentityHash: char("file_identity_hash", { length: 64 }).notNull(),
  sha256: char("sha256", { length: 64 }).notNull(),
  sizeBytes: integer("size_bytes").notNull(),
  format: text("format"),
  /** accepted | rejected */
  status: text("status").notNull(),
  problems: jsonb("problems"),
  rawKey: text("raw_key"),
  uploadedBy: text("uploaded_by").notNull(),
  createdAt,
});

/** A fund as the organisation knows it: one per (file name, fund name), hashed (DESIGN.md section 5). */
export const fundIdentities = fundsSchema.table(
  "fund_identities",
  {
    orgId: uuid("org_id").notNull(),
    fundIdentityHash: char("fund_identity_hash", { length: 64 }).notNull(),
    fundName: text("fund_name").notNull(),
    filename: text("filename").notNull(),
    fileIdentityHash: char("file_identity_hash", { length: 64 }).notNull(),
    createdAt,
  },
  (t) => [primaryKey({ columns: [t.orgId, t.fundIdentityHash] })],
);

/** A version of a fund's data: a new one only when its data hash changes; numbers gapless per fund. */
export const fundDataVersions = fundsSchema.table(
  "fund_data_versions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id").notNull(),
    fundIdentityHash: char("fund_identity_hash", { length: 64 }).notNull(),
    versionNumber: integer("version_number").notNull(),
    dataHash: char("data_hash", { length: 64 }).notNull(),
    parquetKey: text("parquet_key").notNull(),
    uploadId: uuid("upload_id").notNull(),
    weeks: integer("weeks").notNull(),
    firstWeek: date("first_week").notNull(),
    lastWeek: date("last_week").notNull(),
    createdAt,
  },
  (t) => [
    uniqueIndex("fund_data_versions_data_uq").on(t.orgId, t.fundIdentityHash, t.dataHash),
    uniqueIndex("fund_data_versions_number_uq").on(t.orgId, t.fundIdentityHash, t.versionNumber),
  ],
);

/** What happened to a fund, in order: created, new version, same data uploaded again. Append-only. */
export const fundEvents = fundsSchema.table(
  "fund_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    orgId: uuid("org_id").notNull(),
    fundIdentityHash: char("fund_identity_hash", { length: 64 }).notNull(),
    kind: text("kind").notNull(),
    detail: jsonb("detail").notNull(),
    createdAt,
  },
  (t) => [index("fund_events_fund_idx").on(t.orgId, t.fundIdentityHash, t.id)],
);
