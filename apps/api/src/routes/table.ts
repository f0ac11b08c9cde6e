/**
 * Every REST path and its methods, in Hono's path syntax. The 405 handler and the OpenAPI
 * coverage test read this table, so a path added here is both guarded and documented.
 */
export const REST_ROUTES = [
  { path: "/api/desktop/apply", methods: ["POST"] },
  { path: "/api/desktop/resource-update", methods: ["POST"] },
  { path: "/api/desktop/policy-update", methods: ["POST"] },
  { path: "/api/user/pwd-reset", methods: ["POST"] },
  { path: "/api/desktop/delete", methods: ["POST"] },
  { path: "/api/desktop/lease", methods: ["POST"] },
  { path: "/api/user/lock", methods: ["POST"] },
  { path: "/api/user/unlock", methods: ["POST"] },
  { path: "/api/desktop/power", methods: ["POST"] },
  { path: "/api/desktop/rebuild", methods: ["POST"] },
  { path: "/api/user/offboard", methods: ["POST"] },
  { path: "/api/user/:username/desktops", methods: ["GET"] },
  { path: "/api/desktop/:uuid/volumes", methods: ["GET"] },
  { path: "/api/tasks/:task_id", methods: ["GET"] },
  { path: "/api/hpc/:account/vnc", methods: ["PUT", "GET"] },
  { path: "/api/hpc/:account/vnc/:sessionId", methods: ["DELETE"] },
] as const;

/** `/api/user/:username/desktops` → `/api/user/{username}/desktops` (OpenAPI's syntax). */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_]+)/g, "{$1}");
}
