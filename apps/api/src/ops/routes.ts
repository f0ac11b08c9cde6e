import { randomBytes } from "node:crypto";
import { TaskKind, TaskState } from "@deskgate/contracts";
import {
  cancelTask,
  getDelivery,
  getTaskDetail,
  listAttempts,
  listAudit,
  listTasks,
  type OperatorResult,
  recordAudit,
  requestRedelivery,
  retryTask,
  tenantOfKey,
} from "@deskgate/db";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Caller } from "../caller.ts";
import type { ApiDeps } from "../deps.ts";
import { authenticate, clientAddress } from "../middleware/auth.ts";
import { createOpsSessions, type OpsSession, type OpsSessions } from "./session.ts";
import {
  auditPage,
  forbiddenPage,
  type Html,
  loginPage,
  messagePage,
  type PageChrome,
  type QueueDepthRow,
  taskListPage,
  taskPage,
} from "./views.ts";

/**
 * The operator page at /ops (SPEC 7): a task list with filters and search, a task's steps and
 * callback deliveries with every attempt, Retry / Cancel / Redeliver, and queue depths.
 * Server-rendered HTML; access with an admin API key exchanged once for a signed session
 * cookie (see session.ts: sessions end when the api restarts). POSTs carry the session's
 * CSRF token; the cookie is HttpOnly, SameSite=Strict, Path=/ops, Secure over https.
 */
export function registerOps(app: Hono, deps: ApiDeps, sessions: OpsSessions = createOpsSessions()): void {
  app.route("/ops", createOpsApp(deps, sessions));
}

export const OPS_COOKIE = "deskgate_ops";
const LIST_LIMIT = 100;
const AUDIT_LIMIT = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface OpsVars {
  nonce: string;
  session: OpsSession;
  keyName: string;
}
type Ctx = Context<{ Variables: OpsVars }>;

export function createOpsApp(deps: ApiDeps, sessions: OpsSessions): Hono<{ Variables: OpsVars }> {
  const ops = new Hono<{ Variables: OpsVars }>();
  const { db } = deps.database;

  const chrome = (c: Ctx): PageChrome => {
    const session = c.get("session");
    return session
      ? { nonce: c.get("nonce"), signedIn: { keyName: c.get("keyName"), csrf: sessions.csrfToken(session) } }
      : { nonce: c.get("nonce") };
  };
  const render = (c: Ctx, body: Html, status: 200 | 400 | 401 | 403 | 404 | 413 | 429 | 500 = 200) =>
    c.html(body, status);

  // Headers for every /ops answer: a strict CSP (inline style and script only with this
  // response's nonce), no framing, no caching, no referrer.
  ops.use(async (c, next) => {
    const nonce = randomBytes(16).toString("base64");
    c.set("nonce", nonce);
    c.header(
      "Content-Security-Policy",
      `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src 'self' data:; ` +
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    );
    c.header("X-Frame-Options", "DENY");
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "no-referrer");
    c.header("Cache-Control", "no-store");
    await next();
  });
  ops.use(
    bodyLimit({
      maxSize: 16 * 1024,
      onError: (c) =>
        c.html(messagePage({ nonce: c.get("nonce") }, "Too large", "That request is too large."), 413),
    }),
  );

  ops.get("/login", async (c) => {
    const next = safeNext(c.req.query("next"));
    if (sessions.verify(getCookie(c, OPS_COOKIE))) return c.redirect(next, 303);
    return render(c, loginPage(chrome(c), { next }));
  });

  ops.post("/login", async (c) => {
    const form = await c.req.parseBody();
    const next = safeNext(form.next);
    const key = typeof form.api_key === "string" ? form.api_key.trim() : "";
    const result = await authenticate(deps, key || null, clientAddress(c));
    if (!result.ok) {
      if (result.code === "rate_limited") {
        c.header("Retry-After", String(result.retryAfter));
        return render(c, loginPage(chrome(c), { next, error: "Too many attempts; wait a minute." }), 429);
      }
      return render(c, loginPage(chrome(c), { next, error: "That API key is not valid." }), 401);
    }
    c.set("caller", result.caller);
    if (!result.caller.scopes.includes("admin")) {
      return render(c, forbiddenPage(chrome(c), `The key “${result.caller.name}” has no admin scope.`), 403);
    }
    setCookie(c, OPS_COOKIE, sessions.issue(result.caller.apiKeyId), {
      path: "/ops",
      httpOnly: true,
      sameSite: "Strict",
      secure: isHttps(c),
      maxAge: sessions.ttlSeconds,
    });
    return c.redirect(next, 303);
  });

  // Everything below needs a live session of a key that is still active and admin; a POST
  // also needs the session's CSRF token.
  ops.use(async (c, next) => {
    if (c.req.path === "/ops/login") return next();
    const session = sessions.verify(getCookie(c, OPS_COOKIE));
    const wanted = safeNext(c.req.method === "GET" ? c.req.path + new URL(c.req.url).search : "/ops");
    if (!session) {
      return render(c, loginPage(chrome(c), { next: wanted }), 401);
    }
    const [key] = await deps.database.sql<
      { name: string; scopes: string[]; tenant: string | null; revoked_at: Date | null }[]
    >`select name, scopes, tenant, revoked_at from api_keys where id = ${session.keyId}`;
    if (!key || key.revoked_at) {
      deleteCookie(c, OPS_COOKIE, { path: "/ops" });
      return render(
        c,
        loginPage(chrome(c), { next: wanted, error: "Your session ended: its key was revoked." }),
        401,
      );
    }
    const caller: Caller = {
      apiKeyId: session.keyId,
      name: key.name,
      scopes: key.scopes,
      tenant: tenantOfKey({ id: session.keyId, tenant: key.tenant }),
      rateLimitPerMinute: null,
    };
    c.set("caller", caller); // the request log names the key
    if (!key.scopes.includes("admin")) {
      return render(c, forbiddenPage(chrome(c), `The key “${key.name}” has no admin scope.`), 403);
    }
    c.set("session", session);
    c.set("keyName", key.name);
    if (c.req.method === "POST") {
      const form = await c.req.parseBody();
      if (!sessions.checkCsrf(session, form.csrf)) {
        return render(
          c,
          forbiddenPage(
            chrome(c),
            "The form's security token is missing or stale. Reload the page and try again.",
          ),
          403,
        );
      }
    }
    return next();
  });

  ops.get("/", async (c) => {
    const q = (c.req.query("q") ?? "").trim().slice(0, 200);
    const state = oneOf(c.req.query("state"), TaskState.options);
    const kind = oneOf(c.req.query("kind"), TaskKind.options);
    const [tasks, depths] = await Promise.all([
      listTasks(db, { state, kind, search: q || undefined, limit: LIST_LIMIT }),
      queueDepths(deps),
    ]);
    return render(
      c,
      taskListPage(chrome(c), {
        tasks,
        depths,
        filter: { q, state: state ?? "", kind: kind ?? "" },
        states: TaskState.options,
        kinds: TaskKind.options,
        limit: LIST_LIMIT,
        now: new Date(),
      }),
    );
  });

  ops.get("/tasks/:id", async (c) => {
    const id = c.req.param("id");
    const detail = UUID.test(id) ? await getTaskDetail(db, id) : undefined;
    if (!detail) return render(c, messagePage(chrome(c), "Not found", `No task ${id}.`), 404);
    const notice = noticeOf(c.req.query("done"), c.req.query("refused"));
    // After a redelivery request: keep reloading (bounded, in the page's script) until the
    // worker has recorded and ended a manual attempt newer than the ones shown before.
    let wait = false;
    const waitFor = c.req.query("delivery");
    const after = Number(c.req.query("after"));
    if (waitFor && Number.isInteger(after) && after >= 0) {
      const rows = detail.deliveries.find((d) => d.id === waitFor)?.attemptRows ?? [];
      wait = !rows.slice(after).some((a) => a.trigger === "manual" && a.outcome !== "sending");
    }
    if (c.req.query("done") === "retry" || c.req.query("done") === "cancel") {
      wait = detail.task.state === "queued" || detail.task.state === "running";
    }
    const audit = await listAudit(db, { target: [id, ...detail.deliveries.map((d) => d.id)], limit: 100 });
    return render(
      c,
      taskPage(chrome(c), { detail, audit, csrf: sessions.csrfToken(c.get("session")), notice, wait }),
    );
  });

  ops.get("/audit", async (c) => {
    const events = await listAudit(db, { limit: AUDIT_LIMIT });
    return render(c, auditPage(chrome(c), { events, limit: AUDIT_LIMIT }));
  });

  ops.post("/tasks/:id/retry", (c) => taskAction(c, "retry", retryTask));
  ops.post("/tasks/:id/cancel", (c) => taskAction(c, "cancel", cancelTask));

  async function taskAction(c: Ctx, action: string, run: typeof retryTask) {
    const id = c.req.param("id") ?? "";
    if (!UUID.test(id)) return render(c, messagePage(chrome(c), "Not found", `No task ${id}.`), 404);
    const result = await run(db, deps.boss, id);
    await auditAction(c, `task.${action}`, id, result);
    deps.logger.info({ task_id: id, key_name: c.get("keyName"), action, ok: result.ok }, "ops action");
    return c.redirect(`/ops/tasks/${id}?${outcomeQuery(action, result)}`, 303);
  }

  ops.post("/deliveries/:id/redeliver", async (c) => {
    const id = c.req.param("id");
    const delivery = UUID.test(id) ? await getDelivery(db, id) : undefined;
    if (!delivery) return render(c, messagePage(chrome(c), "Not found", `No delivery ${id}.`), 404);
    const before = (await listAttempts(db, id)).length;
    const result = await requestRedelivery(db, deps.boss, id);
    await auditAction(c, "callback.redeliver", id, result);
    deps.logger.info(
      {
        task_id: delivery.taskId,
        delivery_id: id,
        key_name: c.get("keyName"),
        action: "redeliver",
        ok: result.ok,
      },
      "ops action",
    );
    const wait = result.ok ? `&delivery=${id}&after=${before}` : "";
    return c.redirect(`/ops/tasks/${delivery.taskId}?${outcomeQuery("redeliver", result)}${wait}`, 303);
  });

  /** Every /ops action goes into the audit trail as `ops:<key name>`, refused or not. */
  function auditAction(c: Ctx, action: string, target: string, result: OperatorResult) {
    return recordAudit(db, {
      actor: `ops:${c.get("keyName")}`,
      action,
      target,
      outcome: result.ok ? "ok" : "refused",
      detail: result.ok ? null : result.reason,
    });
  }

  ops.post("/logout", (c) => {
    deleteCookie(c, OPS_COOKIE, { path: "/ops", httpOnly: true, sameSite: "Strict", secure: isHttps(c) });
    return c.redirect("/ops/login", 303);
  });

  ops.all("*", (c) => {
    if (c.req.method === "GET" && c.req.path === "/ops/") return c.redirect("/ops", 301);
    return render(c, messagePage(chrome(c), "Not found", `Nothing at ${c.req.path}.`), 404);
  });

  ops.onError((error, c) => {
    deps.logger.error({ err: error, request_id: c.get("requestId"), path: c.req.path }, "ops page error");
    return render(c, messagePage(chrome(c), "Error", "Something went wrong; the error was logged."), 500);
  });
  return ops;
}

async function queueDepths(deps: ApiDeps): Promise<QueueDepthRow[] | null> {
  try {
    return await deps.database.sql<QueueDepthRow[]>`select * from ops_queue_depth`;
  } catch (err) {
    deps.logger.warn({ err: (err as Error).message }, "ops: queue depth unavailable");
    return null;
  }
}

const DONE_TEXT: Record<string, string> = {
  retry: "The task is queued again.",
  cancel: "The task was cancelled.",
  redeliver: "Redelivery requested; the worker makes one attempt now.",
};

function outcomeQuery(action: string, result: OperatorResult): string {
  return result.ok
    ? `done=${action}`
    : `refused=${encodeURIComponent(`${action}: ${result.reason}`.slice(0, 300))}`;
}

function noticeOf(
  done: string | undefined,
  refused: string | undefined,
): { text: string; bad?: boolean } | undefined {
  if (done && DONE_TEXT[done]) return { text: DONE_TEXT[done] };
  if (refused) return { text: `Refused — ${refused.slice(0, 300)}`, bad: true };
  return undefined;
}

function oneOf<T extends string>(value: string | undefined, options: readonly T[]): T | undefined {
  return options.find((o) => o === value);
}

/** Only a path under /ops may be the place to go after logging in (no open redirect). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const SAFE_NEXT = /^\/ops(\/[^\\\u0000-\u001f\u007f]*|\?[^\\\u0000-\u001f\u007f]*)?$/;

function safeNext(value: unknown): string {
  if (typeof value !== "string" || value.length > 500) return "/ops";
  // a path under /ops, no backslash, no control character (a CR/LF would split the Location header)
  return SAFE_NEXT.test(value) ? value : "/ops";
}

function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto") === "https";
}
