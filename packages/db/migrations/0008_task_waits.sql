CREATE TABLE "task_waits" (
	"task_id" uuid PRIMARY KEY NOT NULL,
	"platform_job_id" text NOT NULL,
	"since" timestamp with time zone DEFAULT now() NOT NULL,
	"next_check_at" timestamp with time zone NOT NULL,
	"resume_token" uuid NOT NULL,
	"resumed" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "resume_token" uuid;--> statement-breakpoint
ALTER TABLE "task_waits" ADD CONSTRAINT "task_waits_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "task_waits_due_idx" ON "task_waits" USING btree ("next_check_at") WHERE not "task_waits"."resumed";