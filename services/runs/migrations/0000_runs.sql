-- The runs service's schema: model configs (append-only history), runs, their funds and tasks,
-- run logs, the results a finalize commits, simulation results and the transactional outbox.
CREATE SCHEMA "runs";
--> statement-breakpoint
-- Every version of every model config, and every deletion, as its own row. Nothing is updated or
-- deleted (seed finding #6): the current state of a config is its newest row.
CREATE TABLE "runs"."model_config_history" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"config_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"name" text NOT NULL,
	"action" text NOT NULL CHECK ("action" IN ('create', 'delete')),
	"config" jsonb NOT NULL,
	"config_hash" char(64) NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "model_config_history_version_uq" ON "runs"."model_config_history" ("org_id", "config_id", "version");
--> statement-breakpoint
CREATE INDEX "model_config_history_name_idx" ON "runs"."model_config_history" ("org_id", "name");
--> statement-breakpoint
CREATE TABLE "runs"."model_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"kind" text NOT NULL DEFAULT 'fit' CHECK ("kind" IN ('fit', 'simulation')),
	"config_id" uuid,
	"config_version" integer NOT NULL,
	"config_hash" char(64) NOT NULL,
	"config" jsonb NOT NULL,
	"status" text NOT NULL DEFAULT 'pending'
		CHECK ("status" IN ('pending', 'running', 'finalizing', 'completed', 'failed', 'cancelled')),
	"results_hash" char(64),
	"error" text,
	"timeout_at" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	-- seed finding #2 / P3: a completed run always has its results_hash
	CONSTRAINT "model_runs_completed_hash" CHECK ("status" <> 'completed' OR "results_hash" IS NOT NULL)
);
--> statement-breakpoint
CREATE INDEX "model_runs_org_idx" ON "runs"."model_runs" ("org_id", "created_at");
--> statement-breakpoint
CREATE INDEX "model_runs_active_idx" ON "runs"."model_runs" ("status") WHERE "status" IN ('pending', 'running', 'finalizing');
--> statement-breakpoint
-- Exactly which data each fund of a run used.
CREATE TABLE "runs"."run_funds" (
	"org_id" uuid NOT NULL,
	"run_id" uuid NOT NULL REFERENCES "runs"."model_runs" ("id"),
	"fund_identity_hash" char(64) NOT NULL,
	"data_hash" char(64) NOT NULL,
	"input_key" text NOT NULL,
	"input_sha256" char(64) NOT NULL,
	-- simulation lab: the parameters the fund was simulated with
	"truth" jsonb,
	CONSTRAINT "run_funds_pk" PRIMARY KEY ("run_id", "fund_identity_hash")
);
--> statement-breakpoint
CREATE TABLE "runs"."run_tasks" (
	"org_id" uuid NOT NULL,
	"run_id" uuid NOT NULL REFERENCES "runs"."model_runs" ("id"),
	"task_id" text NOT NULL,
	"fund_identity_hash" char(64) NOT NULL,
	"window_end" text NOT NULL,
	"status" text NOT NULL DEFAULT 'queued'
		CHECK ("status" IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
	"attempt" integer NOT NULL DEFAULT 1,
	"deliveries" integer NOT NULL DEFAULT 0,
	"progress" double precision NOT NULL DEFAULT 0,
	"worker" text,
	"error" text,
	"result" jsonb,
	"dispatched_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "run_tasks_pk" PRIMARY KEY ("run_id", "task_id")
);
--> statement-breakpoint
-- Log lines workers streamed, kept after the run. One row per (task, attempt, delivery, line), so
-- a log event delivered twice is stored once.
CREATE TABLE "runs"."run_logs" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"task_id" text NOT NULL,
	"attempt" integer NOT NULL,
	"delivery" integer NOT NULL,
	"line" integer NOT NULL,
	"level" text NOT NULL,
	"message" text NOT NULL,
	"logged_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "run_logs_line_uq" ON "runs"."run_logs" ("run_id", "task_id", "attempt", "delivery", "line");
--> statement-breakpoint
CREATE TABLE "runs"."posterior_results" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"run_id" uuid NOT NULL REFERENCES "runs"."model_runs" ("id"),
	"fund_identity_hash" char(64) NOT NULL,
	"data_hash" char(64) NOT NULL,
	"window_end" text NOT NULL,
	"posteriors_key" text NOT NULL,
	"posteriors_sha256" char(64) NOT NULL,
	"full_stats_key" text NOT NULL,
	"full_stats_sha256" char(64) NOT NULL,
	"summary" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "posterior_results_uq" ON "runs"."posterior_results" ("run_id", "fund_identity_hash", "window_end");
--> statement-breakpoint
-- One row per fund per run that estimated it (keyed by fund_identity_hash: seed finding #5).
CREATE TABLE "runs"."fund_estimation_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"fund_identity_hash" char(64) NOT NULL,
	"run_id" uuid NOT NULL REFERENCES "runs"."model_runs" ("id"),
	"data_hash" char(64) NOT NULL,
	"config_hash" char(64) NOT NULL,
	"windows" integer NOT NULL,
	"estimated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "fund_estimation_history_uq" ON "runs"."fund_estimation_history" ("org_id", "fund_identity_hash", "run_id");
--> statement-breakpoint
-- The links from fund data versions (owned by funds) to the results computed on them.
CREATE TABLE "runs"."fund_version_results" (
	"org_id" uuid NOT NULL,
	"fund_identity_hash" char(64) NOT NULL,
	"data_hash" char(64) NOT NULL,
	"run_id" uuid NOT NULL REFERENCES "runs"."model_runs" ("id"),
	"posterior_result_id" uuid NOT NULL REFERENCES "runs"."posterior_results" ("id"),
	CONSTRAINT "fund_version_results_pk" PRIMARY KEY ("run_id", "posterior_result_id")
);
--> statement-breakpoint
CREATE INDEX "fund_version_results_version_idx" ON "runs"."fund_version_results" ("org_id", "fund_identity_hash", "data_hash");
--> statement-breakpoint
CREATE TABLE "runs"."simulation_results" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"run_id" uuid NOT NULL REFERENCES "runs"."model_runs" ("id"),
	"fund_identity_hash" char(64) NOT NULL,
	"replication" integer NOT NULL,
	"param" text NOT NULL,
	"true_value" double precision NOT NULL,
	"posterior_mean" double precision NOT NULL,
	"q05" double precision NOT NULL,
	"q95" double precision NOT NULL,
	"covered" boolean NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "simulation_results_uq" ON "runs"."simulation_results" ("run_id", "replication", "param");
--> statement-breakpoint
-- Transactional outbox: events committed with the change they announce, published by the relay.
CREATE TABLE "runs"."outbox" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"subject" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "outbox_unpublished_idx" ON "runs"."outbox" ("created_at") WHERE "published_at" IS NULL;
