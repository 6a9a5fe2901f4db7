CREATE SCHEMA "gateway";
--> statement-breakpoint
CREATE TABLE "gateway"."sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"role" text NOT NULL,
	"token_hash" char(64) NOT NULL,
	"csrf_hash" char(64) NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "sessions_token_hash_uq" ON "gateway"."sessions" USING btree ("token_hash");