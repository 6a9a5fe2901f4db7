-- Upload audit (docs/funds.md): market-series uploads are recorded too (kind), and a file refused
-- before it was read whole (over the size limit, streamed) has no SHA-256.
ALTER TABLE "funds"."uploads" ALTER COLUMN "sha256" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "funds"."uploads" ADD COLUMN "kind" text DEFAULT 'workbook' NOT NULL;