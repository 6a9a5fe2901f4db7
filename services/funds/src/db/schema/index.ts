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

/**
 * Every upload, accepted or rejected: a rejected one is its own audit record, with its problems.
 * Fund workbooks and market-series files alike (`kind`).
 */
export const uploads = fundsSchema.table("uploads", {
  id: uuid("id").primaryKey().defaultRandom(),
  orgId: uuid("org_id").notNull(),
  /** workbook | market_series */
  kind: text("kind").notNull().default("workbook"),
  filename: text("filename").notNull(),
  fileIdentityHash: char("file_identity_hash", { length: 64 }).notNull(),
  /** Null when the file was refused before it was read whole (over the size limit). */
  sha256: char("sha256", { length: 64 }),
  /** The file's size; for one refused while streamed, the bytes read before the refusal. */
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

/**
 * A fund identity that now goes by another: recorded when a fund is seen again under a new file
 * name (DESIGN.md section 5). At most one alias per old identity; chains are resolved with a depth
 * limit and cycle protection (domain/aliases.ts). Append-only.
 */
export const fundAliases = fundsSchema.table(
  "fund_aliases",
  {
    orgId: uuid("org_id").notNull(),
    oldHash: char("old_hash", { length: 64 }).notNull(),
    newHash: char("new_hash", { length: 64 }).notNull(),
    /** file_rename */
    reason: text("reason").notNull(),
    uploadId: uuid("upload_id"),
    createdAt,
  },
  (t) => [primaryKey({ columns: [t.orgId, t.oldHash] })],
);

/**
 * One version of a market or comparable return series an organisation admin uploaded: periodic
 * total returns (daily or weekly) by date. A new version only when its data changes. Append-only.
 */
export const marketSeries = fundsSchema.table(
  "market_series",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id").notNull(),
    name: text("name").notNull(),
    /** daily | weekly */
    frequency: text("frequency").notNull(),
    versionNumber: integer("version_number").notNull(),
    dataHash: char("data_hash", { length: 64 }).notNull(),
    /** ISO dates, ascending. */
    dates: jsonb("dates").notNull(),
    /** Periodic total returns as decimals (0.01 is 1%), one per date. */
    returns: jsonb("returns").notNull(),
    firstDate: date("first_date").notNull(),
    lastDate: date("last_date").notNull(),
    uploadedBy: text("uploaded_by").notNull(),
    createdAt,
  },
  (t) => [
    uniqueIndex("market_series_number_uq").on(t.orgId, t.name, t.versionNumber),
    uniqueIndex("market_series_data_uq").on(t.orgId, t.name, t.dataHash),
  ],
);

/** A fund's current market config: which series, by date range (regimes), and its hash. */
export const fundMarketConfigs = fundsSchema.table(
  "fund_market_configs",
  {
    orgId: uuid("org_id").notNull(),
    fundIdentityHash: char("fund_identity_hash", { length: 64 }).notNull(),
    config: jsonb("config").notNull(),
    configHash: char("config_hash", { length: 64 }).notNull(),
    updatedBy: text("updated_by").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.fundIdentityHash] })],
);

/** Every market config a fund has had, in order. Append-only. */
export const fundMarketConfigHistory = fundsSchema.table(
  "fund_market_config_history",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    orgId: uuid("org_id").notNull(),
    fundIdentityHash: char("fund_identity_hash", { length: 64 }).notNull(),
    config: jsonb("config").notNull(),
    configHash: char("config_hash", { length: 64 }).notNull(),
    /** api | upload */
    source: text("source").notNull(),
    changedBy: text("changed_by").notNull(),
    createdAt,
  },
  (t) => [index("fund_market_config_history_fund_idx").on(t.orgId, t.fundIdentityHash, t.id)],
);

/** An evergreen fund: a named set of member funds, identified by its hash (DESIGN.md section 5). */
export const evergreenFunds = fundsSchema.table(
  "evergreen_funds",
  {
    orgId: uuid("org_id").notNull(),
    evergreenIdentityHash: char("evergreen_identity_hash", { length: 64 }).notNull(),
    name: text("name").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt,
  },
  (t) => [primaryKey({ columns: [t.orgId, t.evergreenIdentityHash] })],
);

/** A member fund of an evergreen fund, with its sub-fund identity hash. */
export const evergreenFundMembers = fundsSchema.table(
  "evergreen_fund_members",
  {
    orgId: uuid("org_id").notNull(),
    evergreenIdentityHash: char("evergreen_identity_hash", { length: 64 }).notNull(),
    fundIdentityHash: char("fund_identity_hash", { length: 64 }).notNull(),
    subfundIdentityHash: char("subfund_identity_hash", { length: 64 }).notNull(),
    createdAt,
  },
  (t) => [primaryKey({ columns: [t.orgId, t.evergreenIdentityHash, t.fundIdentityHash] })],
);
