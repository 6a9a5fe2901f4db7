-- The role every service works under. It owns nothing and cannot bypass row-level security, so a
-- query that forgets the organisation sees no rows instead of every organisation's rows.
DO $$
BEGIN
  CREATE ROLE portal_app NOLOGIN NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- created by another database of the same cluster, or by a concurrent migration
END
$$;
--> statement-breakpoint
-- The organisation of the current transaction, set by withOrg(); NULL when unset, which matches
-- no row.
CREATE OR REPLACE FUNCTION runtime.current_org_id() RETURNS uuid
LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('app.current_org_id', true), '')::uuid
$$;
--> statement-breakpoint
-- The migration convention for organisation data: every table with an org_id column calls this
-- once. It enables and forces RLS (so the table owner is bound too), adds the one policy, and
-- grants the application role plain DML; nothing else is granted.
CREATE OR REPLACE FUNCTION runtime.enable_org_rls(tbl regclass) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
  EXECUTE format(
    'CREATE POLICY org_isolation ON %s USING (org_id = runtime.current_org_id()) '
    'WITH CHECK (org_id = runtime.current_org_id())', tbl);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO portal_app', tbl);
END
$$;
--> statement-breakpoint
-- Lets the application role use a service schema's tables that carry no organisation (queues,
-- outboxes). Append-only tables get a narrower grant in their own migration.
CREATE OR REPLACE FUNCTION runtime.grant_schema_usage(schema_name text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO portal_app', schema_name);
  EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO portal_app', schema_name);
END
$$;
--> statement-breakpoint
SELECT runtime.grant_schema_usage('runtime');
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION runtime.current_org_id() TO portal_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON runtime.queue_messages, runtime.events, runtime.event_cursors TO portal_app;
