-- Artefacts of a cancelled run are deleted once its workers have stopped (no orphans in object
-- storage); the reconciler records when it did so.
ALTER TABLE "runs"."model_runs" ADD COLUMN "artefacts_swept_at" timestamp with time zone;
--> statement-breakpoint
GRANT SELECT ("finished_at", "artefacts_swept_at") ON runs.model_runs TO portal_cross_org;
--> statement-breakpoint
-- The reconciler's view of cancelled runs still to sweep: ids and organisations only.
CREATE POLICY cancelled_runs_to_sweep ON runs.model_runs FOR SELECT TO portal_cross_org
  USING ("status" = 'cancelled' AND "artefacts_swept_at" IS NULL);
