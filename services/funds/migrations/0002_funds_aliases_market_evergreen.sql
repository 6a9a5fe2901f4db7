CREATE TABLE "funds"."evergreen_fund_members" (
	"org_id" uuid NOT NULL,
	"evergreen_identity_hash" char(64) NOT NULL,
	"fund_identity_hash" char(64) NOT NULL,
	"subfund_identity_hash" char(64) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "evergreen_fund_members_org_id_evergreen_identity_hash_fund_identity_hash_pk" PRIMARY KEY("org_id","evergreen_identity_hash","fund_identity_hash")
);
--> statement-breakpoint
CREATE TABLE "funds"."evergreen_funds" (
	"org_id" uuid NOT NULL,
	"evergreen_identity_hash" char(64) NOT NULL,
	"name" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "evergreen_funds_org_id_evergreen_identity_hash_pk" PRIMARY KEY("org_id","evergreen_identity_hash")
);
--> statement-breakpoint
CREATE TABLE "funds"."fund_aliases" (
	"org_id" uuid NOT NULL,
	"old_hash" char(64) NOT NULL,
	"new_hash" char(64) NOT NULL,
	"reason" text NOT NULL,
	"upload_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "fund_aliases_org_id_old_hash_pk" PRIMARY KEY("org_id","old_hash")
);
--> statement-breakpoint
CREATE TABLE "funds"."fund_market_config_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"fund_identity_hash" char(64) NOT NULL,
	"config" jsonb NOT NULL,
	"config_hash" char(64) NOT NULL,
	"source" text NOT NULL,
	"changed_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "funds"."fund_market_configs" (
	"org_id" uuid NOT NULL,
	"fund_identity_hash" char(64) NOT NULL,
	"config" jsonb NOT NULL,
	"config_hash" char(64) NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "fund_market_configs_org_id_fund_identity_hash_pk" PRIMARY KEY("org_id","fund_identity_hash")
);
--> statement-breakpoint
CREATE TABLE "funds"."market_series" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"frequency" text NOT NULL,
	"version_number" integer NOT NULL,
	"data_hash" char(64) NOT NULL,
	"dates" jsonb NOT NULL,
	"returns" jsonb NOT NULL,
	"first_date" date NOT NULL,
	"last_date" date NOT NULL,
	"uploaded_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "fund_market_config_history_fund_idx" ON "funds"."fund_market_config_history" USING btree ("org_id","fund_identity_hash","id");--> statement-breakpoint
CREATE UNIQUE INDEX "market_series_number_uq" ON "funds"."market_series" USING btree ("org_id","name","version_number");--> statement-breakpoint
CREATE UNIQUE INDEX "market_series_data_uq" ON "funds"."market_series" USING btree ("org_id","name","data_hash");