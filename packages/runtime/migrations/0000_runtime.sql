CREATE SCHEMA "runtime";
--> statement-breakpoint
CREATE TABLE "runtime"."event_cursors" (
	"durable" text PRIMARY KEY NOT NULL,
	"last_seq" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "runtime"."events" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"subject" text NOT NULL,
	"msg_id" text NOT NULL,
	"data" jsonb NOT NULL,
	"published_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "events_msg_id_unique" UNIQUE("msg_id")
);
--> statement-breakpoint
CREATE TABLE "runtime"."queue_messages" (
	"queue" text NOT NULL,
	"id" text NOT NULL,
	"payload" jsonb NOT NULL,
	"state" text DEFAULT 'ready' NOT NULL,
	"deliveries" integer DEFAULT 0 NOT NULL,
	"available_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_until" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "queue_messages_queue_id_pk" PRIMARY KEY("queue","id")
);
--> statement-breakpoint
CREATE INDEX "events_subject_idx" ON "runtime"."events" USING btree ("subject","seq");--> statement-breakpoint
CREATE INDEX "queue_messages_claim_idx" ON "runtime"."queue_messages" USING btree ("queue","state","available_at");