ALTER TABLE "api_keys" ADD COLUMN "tenant" text;--> statement-breakpoint
ALTER TABLE "hpc_accounts" ADD COLUMN "tenant" text;--> statement-breakpoint
ALTER TABLE "desktops" ADD COLUMN "tenant" text;--> statement-breakpoint
ALTER TABLE "vdi_users" ADD COLUMN "tenant" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "tenant" text;--> statement-breakpoint
-- Today's rows belong to the key that created them (docs/api.md, "Tenants"): a task to the key
-- that sent it (each key its own tenant, `key:<id>`), a user or desktop to the task that made it.
-- Rows deskgate found rather than made stay unassigned (admin only) until an operator assigns them.
UPDATE "tasks" SET "tenant" = 'key:' || "api_key_id" WHERE "api_key_id" IS NOT NULL;--> statement-breakpoint
UPDATE "vdi_users" u SET "tenant" = t."tenant" FROM "tasks" t WHERE t."id" = u."created_by_task";--> statement-breakpoint
UPDATE "desktops" d SET "tenant" = t."tenant" FROM "tasks" t WHERE t."id" = d."created_by_task";--> statement-breakpoint
-- An HPC account that exactly one key has used belongs to that key; one used by several keys, or
-- by none, waits for `deskgate hpc accounts assign`.
UPDATE "hpc_accounts" a SET "tenant" = s."tenant"
FROM (
  SELECT "request"->>'account' AS "account", min("tenant") AS "tenant" FROM "tasks"
  WHERE "kind" LIKE 'hpc.%' AND "tenant" IS NOT NULL
  GROUP BY 1 HAVING count(DISTINCT "tenant") = 1
) s
WHERE s."account" = a."name";
