CREATE TABLE "identity"."invitations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"email" text NOT NULL,
	"role" text NOT NULL,
	"token_hash" char(64) NOT NULL,
	"invited_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "identity"."mfa_challenges" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"token_hash" char(64) NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "identity"."mfa_factors" ADD COLUMN "last_used_step" bigint;--> statement-breakpoint
CREATE UNIQUE INDEX "invitations_token_hash_uq" ON "identity"."invitations" USING btree ("token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "mfa_challenges_token_hash_uq" ON "identity"."mfa_challenges" USING btree ("token_hash");--> statement-breakpoint
-- Row-level security and grants for the new tables (docs/architecture.md, "Tenancy").
SELECT runtime.enable_org_rls('identity.mfa_challenges');
--> statement-breakpoint
SELECT runtime.enable_org_rls('identity.invitations');
--> statement-breakpoint
-- Super admins invite into any organisation through the audited cross-org role.
SELECT runtime.enable_cross_org_access('identity.invitations');
--> statement-breakpoint
-- The login path finds a second-factor challenge and an invitation by token hash before the
-- organisation is known; it reads these columns only, and changes nothing.
GRANT SELECT (id, org_id, user_id, token_hash, attempts, expires_at, used_at)
  ON identity.mfa_challenges TO portal_login;
--> statement-breakpoint
CREATE POLICY login_lookup ON identity.mfa_challenges FOR SELECT TO portal_login USING (true);
--> statement-breakpoint
GRANT SELECT (id, org_id, user_id, role, token_hash, expires_at, used_at)
  ON identity.invitations TO portal_login;
--> statement-breakpoint
CREATE POLICY login_lookup ON identity.invitations FOR SELECT TO portal_login USING (true);
