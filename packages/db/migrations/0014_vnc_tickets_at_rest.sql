-- Issue 17.2: a VNC launch URL carries a one-time ticket and is no longer stored in a task's
-- result (it goes to the synchronous caller only). Remove the ones stored before.
UPDATE "tasks" SET "result" = "result" - 'launchUrl'
WHERE "kind" = 'hpc.vnc_open' AND "result" ? 'launchUrl';--> statement-breakpoint
UPDATE "tasks" SET "result" = jsonb_set(
  "result", '{sessions}',
  (SELECT coalesce(jsonb_agg(s - 'launchUrl'), '[]'::jsonb) FROM jsonb_array_elements("result"->'sessions') s)
)
WHERE "kind" = 'hpc.vnc_list' AND jsonb_typeof("result"->'sessions') = 'array';
