-- A task parked on a platform job (task_waits) stays `running` with an old updated_at for as
-- long as the platform job runs (up to DESKGATE_VDI_JOB_TIMEOUT_MS), but a worker's watcher
-- checks it every poll interval: it is waiting, not stuck. It is stuck again when no watcher
-- has looked at it for 5 minutes (no worker running, or the watcher failing).
CREATE OR REPLACE VIEW ops_stuck_tasks AS
SELECT t.id AS task_id, t.kind, t.state, t.attempts, t.created_at, t.updated_at,
       now() - t.updated_at AS idle_for,
       (SELECT s.name FROM task_steps s WHERE s.task_id = t.id ORDER BY s.id DESC LIMIT 1) AS last_step,
       (SELECT s.outcome FROM task_steps s WHERE s.task_id = t.id ORDER BY s.id DESC LIMIT 1) AS last_step_outcome
FROM tasks t
WHERE t.state IN ('queued', 'running') AND t.updated_at < now() - interval '30 minutes'
  AND NOT EXISTS (
    SELECT 1 FROM task_waits w
    WHERE w.task_id = t.id AND NOT w.resumed AND w.next_check_at > now() - interval '5 minutes'
  );
