CREATE TABLE "resource_locks" (
	"resource" text PRIMARY KEY NOT NULL,
	"task_id" uuid NOT NULL,
	"since" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "resource_locks" ADD CONSTRAINT "resource_locks_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;