-- Sessions belong to an organisation: RLS as everywhere. The cookie arrives before the
-- organisation is known, so the login role may look a session up by its token hash (SELECT only).
SELECT runtime.grant_schema_usage('gateway');
--> statement-breakpoint
SELECT runtime.enable_org_rls('gateway.sessions');
--> statement-breakpoint
GRANT SELECT (id, org_id, user_id, role, token_hash, csrf_hash, expires_at, revoked_at)
  ON gateway.sessions TO portal_login;
--> statement-breakpoint
CREATE POLICY login_lookup ON gateway.sessions FOR SELECT TO portal_login USING (true);
