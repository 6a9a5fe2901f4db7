-- Two narrowly scoped roles beside portal_app, neither of which can bypass row-level security:
--   portal_login     reads the few columns a login needs before the organisation is known (a user
--                    by email, an API key by hash); each service grants it column by column and
--                    adds a SELECT-only policy for it.
--   portal_cross_org is the super-admin path across organisations. Tables opt in with
--                    runtime.enable_cross_org_access(); the code that uses it writes an admin-log
--                    row in the same transaction.
DO $$
BEGIN
  CREATE ROLE portal_login NOLOGIN NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;
--> statement-breakpoint
DO $$
BEGIN
  CREATE ROLE portal_cross_org NOLOGIN NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;
--> statement-breakpoint
-- Lets the super-admin role read and change every organisation's rows of one table (no DELETE:
-- organisation data is deactivated, never deleted).
CREATE OR REPLACE FUNCTION runtime.enable_cross_org_access(tbl regclass) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format(
    'CREATE POLICY cross_org ON %s TO portal_cross_org USING (true) WITH CHECK (true)', tbl);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %s TO portal_cross_org', tbl);
END
$$;
--> statement-breakpoint
-- Schema usage for all three roles (replaces the portal_app-only version of 0001).
CREATE OR REPLACE FUNCTION runtime.grant_schema_usage(schema_name text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO portal_app, portal_login, portal_cross_org', schema_name);
  EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO portal_app, portal_login, portal_cross_org', schema_name);
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA runtime TO portal_login, portal_cross_org;
