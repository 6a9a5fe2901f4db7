CREATE SCHEMA "funds";
--> statement-breakpoint
CREATE TABLE "funds"."fund_data_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"fund_identity_hash" char(64) NOT NULL,
	"version_number" integer NOT NULL,
	"data_hash" char(64) NOT NULL,
	"parquet_key" text NOT NULL,
	"upload_id" uuid NOT NULL,
	"weeks" integer NOT NULL,
	"first_week" date NOT NULL,
	"last_week" date NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "funds"."fund_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"fund_identity_hash" char(64) NOT NULL,
	"kind" text NOT NULL,
	"detail" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "funds"."fund_identities" (
	"org_id" uuid NOT NULL,
	"fund_identity_hash" char(64) NOT NULL,
	"fund_name" text NOT NULL,
	"filename" text NOT NULL,
	"file_identity_hash" char(64) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "fund_identities_org_id_fund_identity_hash_pk" PRIMARY KEY("org_id","fund_identity_hash")
);
--> statement-breakpoint
CREATE TABLE "funds"."uploads" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"filename" text NOT NULL,
	"file_identity_hash" char(64) NOT NULL,
	"sha256" char(64) NOT NULL,
	"size_bytes" integer NOT NULL,
	"format" text,
	"status" text NOT NULL,
	"problems" jsonb,
	"raw_key" text,
	"uploaded_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "fund_data_versions_data_uq" ON "funds"."fund_data_versions" USING btree ("org_id","fund_identity_hash","data_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "fund_data_versions_number_uq" ON "funds"."fund_data_versions" USING btree ("org_id","fund_identity_hash","version_number");--> statement-breakpoint
CREATE INDEX "fund_events_fund_idx" ON "funds"."fund_events" USING btree ("org_id","fund_identity_hash","id");