-- Issue 16.5: the X-Request-Id of the request that made a task, for the worker's log lines and the
-- callback's `x-request-id` header.
ALTER TABLE "tasks" ADD COLUMN "request_id" text;
