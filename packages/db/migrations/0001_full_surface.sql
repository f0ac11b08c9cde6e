CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"key_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"scopes" text[] NOT NULL,
	"sealed_signing_secret" text,
	"sealed_previous_signing_secret" text,
	"rate_limit_per_minute" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"id" uuid PRIMARY KEY NOT NULL,
	"api_key_id" uuid NOT NULL,
	"method" text NOT NULL,
	"path" text NOT NULL,
	"key" text NOT NULL,
	"fingerprint" text NOT NULL,
	"task_id" uuid,
	"state" text DEFAULT 'in_progress' NOT NULL,
	"response_status" integer,
	"response_body" text,
	"response_sealed" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "drift" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"object_kind" text NOT NULL,
	"object_id" text NOT NULL,
	"change" text NOT NULL,
	"detail" jsonb,
	"detected_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "volumes" (
	"volume_uuid" text PRIMARY KEY NOT NULL,
	"desktop_uuid" text NOT NULL,
	"volume_name" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"status" text NOT NULL,
	"created_by_task" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hpc_accounts" (
	"name" text PRIMARY KEY NOT NULL,
	"platform_user" text NOT NULL,
	"org_id" text NOT NULL,
	"sealed_password" text,
	"access_key" text,
	"sealed_access_secret" text,
	"sealed_token" text,
	"token_obtained_at" timestamp with time zone,
	"cluster_id" text,
	"hpc_url" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vnc_sessions" (
	"session_id" text PRIMARY KEY NOT NULL,
	"account" text NOT NULL,
	"session" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "desktops" ADD COLUMN "sid" text;--> statement-breakpoint
ALTER TABLE "desktops" ADD COLUMN "cpu" integer;--> statement-breakpoint
ALTER TABLE "desktops" ADD COLUMN "memory_bytes" bigint;--> statement-breakpoint
ALTER TABLE "desktops" ADD COLUMN "usb_enable" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "desktops" ADD COLUMN "data_access" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_hash_idx" ON "api_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_name_idx" ON "api_keys" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "idempotency_scope_idx" ON "idempotency_keys" USING btree ("api_key_id","method","path","key");--> statement-breakpoint
CREATE INDEX "idempotency_expires_idx" ON "idempotency_keys" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "drift_detected_idx" ON "drift" USING btree ("detected_at");--> statement-breakpoint
CREATE INDEX "volumes_desktop_idx" ON "volumes" USING btree ("desktop_uuid");