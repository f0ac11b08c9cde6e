ALTER TABLE "desktops" ADD COLUMN "ticket_id" text;--> statement-breakpoint
ALTER TABLE "desktops" ADD COLUMN "requester" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "ticket_id" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "requester" text;--> statement-breakpoint
CREATE INDEX "tasks_ticket_idx" ON "tasks" USING btree ("ticket_id") WHERE "tasks"."ticket_id" is not null;