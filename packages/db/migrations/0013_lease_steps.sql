ALTER TABLE "desktops" ADD COLUMN "lease_stage" text;--> statement-breakpoint
ALTER TABLE "desktops" ADD COLUMN "lease_user_locked" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "desktops" ADD COLUMN "lease_task_id" uuid;--> statement-breakpoint
CREATE INDEX "desktops_lease_idx" ON "desktops" USING btree ("lease_expires_at") WHERE "desktops"."lease_expires_at" is not null;--> statement-breakpoint
ALTER TABLE "desktops" ADD CONSTRAINT "desktops_lease_stage_check" CHECK ("lease_stage" IS NULL OR "lease_stage" IN ('notified', 'expired', 'deleting'));--> statement-breakpoint
-- leases set before this migration were set by the apply that made the desktop
UPDATE "desktops" SET "lease_task_id" = "created_by_task" WHERE "lease_expires_at" IS NOT NULL;
