-- Row-level security and grants for every identity table (docs/architecture.md, "Tenancy").
SELECT runtime.grant_schema_usage('identity');
--> statement-breakpoint
-- Organisations are keyed on their own id: a tenant sees (and its admins update) its own row only.
ALTER TABLE identity.organizations ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE identity.organizations FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY org_isolation ON identity.organizations
  USING (id = runtime.current_org_id()) WITH CHECK (id = runtime.current_org_id());
--> statement-breakpoint
GRANT SELECT, UPDATE ON identity.organizations TO portal_app;
--> statement-breakpoint
SELECT runtime.enable_cross_org_access('identity.organizations');
--> statement-breakpoint
SELECT runtime.enable_org_rls('identity.users');
--> statement-breakpoint
SELECT runtime.enable_cross_org_access('identity.users');
--> statement-breakpoint
SELECT runtime.enable_org_rls('identity.api_keys');
--> statement-breakpoint
SELECT runtime.enable_org_rls('identity.password_reset_tokens');
--> statement-breakpoint
SELECT runtime.enable_org_rls('identity.mfa_factors');
--> statement-breakpoint
SELECT runtime.enable_org_rls('identity.mfa_recovery_codes');
--> statement-breakpoint
-- Audit logs are append-only by construction: no role is granted UPDATE or DELETE.
SELECT runtime.enable_org_rls('identity.access_logs');
--> statement-breakpoint
REVOKE UPDATE, DELETE, TRUNCATE ON identity.access_logs FROM portal_app;
--> statement-breakpoint
SELECT runtime.enable_org_rls('identity.admin_logs');
--> statement-breakpoint
REVOKE UPDATE, DELETE, TRUNCATE ON identity.admin_logs FROM portal_app;
--> statement-breakpoint
CREATE POLICY cross_org ON identity.admin_logs TO portal_cross_org USING (true) WITH CHECK (true);
--> statement-breakpoint
GRANT SELECT, INSERT ON identity.admin_logs TO portal_cross_org;
--> statement-breakpoint
CREATE POLICY cross_org ON identity.access_logs TO portal_cross_org USING (true) WITH CHECK (true);
--> statement-breakpoint
GRANT SELECT, INSERT ON identity.access_logs TO portal_cross_org;
--> statement-breakpoint
-- The login path (portal_login): reads only what deciding a login needs, and records the attempt.
GRANT SELECT (id, org_id, email, role, status, password_hash, failed_logins, locked_until)
  ON identity.users TO portal_login;
--> statement-breakpoint
CREATE POLICY login_lookup ON identity.users FOR SELECT TO portal_login USING (true);
--> statement-breakpoint
GRANT SELECT (id, status) ON identity.organizations TO portal_login;
--> statement-breakpoint
CREATE POLICY login_lookup ON identity.organizations FOR SELECT TO portal_login USING (true);
--> statement-breakpoint
GRANT SELECT (id, org_id, key_hash, role, expires_at, revoked_at) ON identity.api_keys TO portal_login;
--> statement-breakpoint
CREATE POLICY login_lookup ON identity.api_keys FOR SELECT TO portal_login USING (true);
--> statement-breakpoint
GRANT SELECT (id, org_id, user_id, token_hash, expires_at, used_at)
  ON identity.password_reset_tokens TO portal_login;
--> statement-breakpoint
CREATE POLICY login_lookup ON identity.password_reset_tokens FOR SELECT TO portal_login USING (true);
--> statement-breakpoint
GRANT INSERT ON identity.access_logs TO portal_login;
--> statement-breakpoint
CREATE POLICY login_record ON identity.access_logs FOR INSERT TO portal_login WITH CHECK (true);
--> statement-breakpoint
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA identity TO portal_login, portal_cross_org;
