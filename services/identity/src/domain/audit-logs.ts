import type { Database } from "@portal/runtime";
import { and, desc, eq, lt } from "drizzle-orm";
import { accessLogs, adminLogs } from "../db/schema/index.js";
import { InvalidInput } from "./errors.js";
import type { Actor } from "./scope.js";
import { inOrgScope } from "./scope.js";
import { parsePageSize, parseUuid } from "./validate.js";

export type AccessLogRow = typeof accessLogs.$inferSelect;
export type AdminLogRow = typeof adminLogs.$inferSelect;

/**
 * A page of a log: newest first, by id (ids grow with every append). The page token is the id of
 * the last entry served, so appends while paging neither repeat nor skip entries.
 */
export interface LogPage {
  orgId: string;
  pageSize: number;
  pageToken: string;
}

function parseLogPage(p: LogPage) {
  const orgId = parseUuid("org_id", p.orgId);
  const limit = parsePageSize("page_size", p.pageSize);
  if (p.pageToken !== "" && !/^[1-9]\d{0,17}$/.test(p.pageToken)) {
    throw new InvalidInput("page_token", "is not a token this service issued");
  }
  const before = p.pageToken === "" ? undefined : Number(p.pageToken);
  return { orgId, limit, before };
}

const nextToken = <T extends { id: number }>(rows: T[], limit: number) =>
  rows.length === limit ? String(rows[rows.length - 1]?.id ?? "") : "";

/**
 * One organisation's access log. Org admins read their own organisation's (row-level security
 * hides the rest); a super admin reads any, and that read is itself admin-logged.
 */
export async function listAccessLogs(db: Database, actor: Actor, page: LogPage) {
  const { orgId, limit, before } = parseLogPage(page);
  const rows = await inOrgScope(db, actor, orgId, (tx) =>
    tx
      .select()
      .from(accessLogs)
      .where(and(eq(accessLogs.orgId, orgId), before ? lt(accessLogs.id, before) : undefined))
      .orderBy(desc(accessLogs.id))
      .limit(limit),
  );
  return { rows, nextPageToken: nextToken(rows, limit) };
}

/** One organisation's admin log, with the same rules as listAccessLogs. */
export async function listAdminLogs(db: Database, actor: Actor, page: LogPage) {
  const { orgId, limit, before } = parseLogPage(page);
  const rows = await inOrgScope(db, actor, orgId, (tx) =>
    tx
      .select()
      .from(adminLogs)
      .where(and(eq(adminLogs.orgId, orgId), before ? lt(adminLogs.id, before) : undefined))
      .orderBy(desc(adminLogs.id))
      .limit(limit),
  );
  return { rows, nextPageToken: nextToken(rows, limit) };
}
