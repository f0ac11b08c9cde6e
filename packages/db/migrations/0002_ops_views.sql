-- Operator views: a readable picture of deskgate's state for psql users (docs/operations.md).
CREATE VIEW ops_tasks AS
SELECT t.id AS task_id, t.kind, t.state, k.name AS api_key, t.error, t.attempts,
       t.created_at, t.started_at, t.finished_at,
       t.finished_at - t.created_at AS duration,
       d.state AS callback_state, d.attempts AS callback_attempts, d.url AS callback_url,
       (SELECT a.http_status FROM callback_attempts a WHERE a.delivery_id = d.id ORDER BY a.id DESC LIMIT 1) AS last_http_status,
       (SELECT a.error_class FROM callback_attempts a WHERE a.delivery_id = d.id ORDER BY a.id DESC LIMIT 1) AS last_error_class
FROM tasks t
LEFT JOIN api_keys k ON k.id = t.api_key_id
LEFT JOIN LATERAL (
  SELECT * FROM callback_deliveries cd WHERE cd.task_id = t.id ORDER BY cd.created_at DESC LIMIT 1
) d ON true;
--> statement-breakpoint
-- Tasks not finished 30 minutes after they were last touched: look at their steps.
CREATE VIEW ops_stuck_tasks AS
SELECT t.id AS task_id, t.kind, t.state, t.attempts, t.created_at, t.updated_at,
       now() - t.updated_at AS idle_for,
       (SELECT s.name FROM task_steps s WHERE s.task_id = t.id ORDER BY s.id DESC LIMIT 1) AS last_step,
       (SELECT s.outcome FROM task_steps s WHERE s.task_id = t.id ORDER BY s.id DESC LIMIT 1) AS last_step_outcome
FROM tasks t
WHERE t.state IN ('queued', 'running') AND t.updated_at < now() - interval '30 minutes';
--> statement-breakpoint
-- Callbacks that were given up (failed after the whole schedule, or 410 Gone): redeliver them.
CREATE VIEW ops_failed_deliveries AS
SELECT d.id AS delivery_id, d.task_id, d.webhook_id, d.url, d.state, d.attempts, d.finished_at,
       a.http_status AS last_http_status, a.error_class AS last_error_class, a.response_prefix AS last_response
FROM callback_deliveries d
LEFT JOIN LATERAL (
  SELECT * FROM callback_attempts ca WHERE ca.delivery_id = d.id ORDER BY ca.id DESC LIMIT 1
) a ON true
WHERE d.state IN ('failed', 'gone');
