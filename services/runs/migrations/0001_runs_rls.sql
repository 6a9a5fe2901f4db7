-- Organisation data: RLS on every table (runtime migration convention), plain DML for portal_app.
SELECT runtime.grant_schema_usage('runs');
--> statement-breakpoint
SELECT runtime.enable_org_rls('runs.model_config_history');
--> statement-breakpoint
SELECT runtime.enable_org_rls('runs.model_runs');
--> statement-breakpoint
SELECT runtime.enable_org_rls('runs.run_funds');
--> statement-breakpoint
SELECT runtime.enable_org_rls('runs.run_tasks');
--> statement-breakpoint
SELECT runtime.enable_org_rls('runs.run_logs');
--> statement-breakpoint
SELECT runtime.enable_org_rls('runs.posterior_results');
--> statement-breakpoint
SELECT runtime.enable_org_rls('runs.fund_estimation_history');
--> statement-breakpoint
SELECT runtime.enable_org_rls('runs.fund_version_results');
--> statement-breakpoint
SELECT runtime.enable_org_rls('runs.simulation_results');
--> statement-breakpoint
SELECT runtime.enable_org_rls('runs.outbox');
--> statement-breakpoint
-- Append-only: config history, logs, results and history are never changed or removed by the
-- application; a finalize inserts them once (ON CONFLICT DO NOTHING makes a second one a no-op).
REVOKE UPDATE, DELETE, TRUNCATE ON runs.model_config_history, runs.run_logs, runs.posterior_results,
  runs.fund_estimation_history, runs.fund_version_results, runs.simulation_results FROM portal_app;
--> statement-breakpoint
REVOKE DELETE, TRUNCATE ON runs.model_runs, runs.run_funds, runs.run_tasks, runs.outbox FROM portal_app;
--> statement-breakpoint
-- The reconciler and the outbox relay work across organisations, but only see what they need:
-- the ids of active runs and of unpublished outbox rows (with their organisation, so that the
-- rest happens under withOrg). portal_cross_org gets SELECT on those columns and nothing else.
GRANT SELECT ("id", "org_id", "status", "timeout_at", "updated_at") ON runs.model_runs TO portal_cross_org;
--> statement-breakpoint
CREATE POLICY active_runs_index ON runs.model_runs FOR SELECT TO portal_cross_org
  USING ("status" IN ('pending', 'running', 'finalizing'));
--> statement-breakpoint
GRANT SELECT ("id", "org_id", "published_at") ON runs.outbox TO portal_cross_org;
--> statement-breakpoint
CREATE POLICY unpublished_outbox_index ON runs.outbox FOR SELECT TO portal_cross_org
  USING ("published_at" IS NULL);
