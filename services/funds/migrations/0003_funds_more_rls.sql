-- RLS on the new organisation tables (runtime migration convention); the new sequence is granted.
SELECT runtime.grant_schema_usage('funds');
--> statement-breakpoint
SELECT runtime.enable_org_rls('funds.fund_aliases');
--> statement-breakpoint
SELECT runtime.enable_org_rls('funds.market_series');
--> statement-breakpoint
SELECT runtime.enable_org_rls('funds.fund_market_configs');
--> statement-breakpoint
SELECT runtime.enable_org_rls('funds.fund_market_config_history');
--> statement-breakpoint
SELECT runtime.enable_org_rls('funds.evergreen_funds');
--> statement-breakpoint
SELECT runtime.enable_org_rls('funds.evergreen_fund_members');
--> statement-breakpoint
-- History is append-only: aliases (a rename happened), market series versions, market config
-- history and evergreen definitions (named by the hash of their members) are never changed.
REVOKE UPDATE, DELETE, TRUNCATE ON funds.fund_aliases, funds.market_series, funds.fund_market_config_history,
  funds.evergreen_funds, funds.evergreen_fund_members FROM portal_app;
