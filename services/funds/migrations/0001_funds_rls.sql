-- Organisation data: RLS on every table (runtime migration convention), plain DML for portal_app.
SELECT runtime.grant_schema_usage('funds');
--> statement-breakpoint
SELECT runtime.enable_org_rls('funds.uploads');
--> statement-breakpoint
SELECT runtime.enable_org_rls('funds.fund_identities');
--> statement-breakpoint
SELECT runtime.enable_org_rls('funds.fund_data_versions');
--> statement-breakpoint
SELECT runtime.enable_org_rls('funds.fund_events');
--> statement-breakpoint
-- History is append-only: uploads (the audit record of every attempt), versions and events are
-- never changed or removed by the application.
REVOKE UPDATE, DELETE, TRUNCATE ON funds.uploads, funds.fund_data_versions, funds.fund_events FROM portal_app;
