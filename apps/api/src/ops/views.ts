import type { AuditEvent, TaskDetail } from "@deskgate/db";
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

/**
 * Server-rendered pages of /ops. Every value goes through hono's `html` tag, which escapes
 * it; only the two constants below (STYLE, SCRIPT) are inserted raw — nothing user- or
 * upstream-supplied ever is. The only script and style are
 * inline and carry the response's CSP nonce.
 */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface PageChrome {
  nonce: string;
  /** The signed-in key's name and the session's CSRF token, when signed in. */
  signedIn?: { keyName: string; csrf: string };
}

export interface TaskListRow {
  id: string;
  kind: string;
  state: string;
  error: string | null;
  attempts: number;
  createdAt: Date;
  finishedAt: Date | null;
  username: string | null;
  desktopUuid: string | null;
  ticketId: string | null;
  requester: string | null;
}

export interface QueueDepthRow {
  queue: string;
  state: string;
  jobs: number;
  oldest_created_on: Date | string | null;
}

const STYLE = `
:root { --fg:#1f2933; --muted:#616e7c; --line:#d9dee5; --bg:#f5f7fa; --card:#fff; --accent:#2f5fd0; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif; color:var(--fg); background:var(--bg); }
header { display:flex; align-items:center; gap:16px; padding:10px 24px; background:#1f2933; color:#fff; }
header .brand { font-weight:600; letter-spacing:.02em; color:#fff; text-decoration:none; }
header .brand span { color:#9fb3c8; font-weight:400; }
header nav a { color:#cbd2d9; text-decoration:none; margin-right:12px; font-size:14px; }
header nav a:hover { color:#fff; }
header .who { margin-left:auto; color:#cbd2d9; font-size:13px; }
header form { margin:0; }
header button { background:transparent; color:#cbd2d9; border:1px solid #52606d; }
main { max-width:1440px; margin:0 auto; padding:20px 24px 40px; }
h1 { font-size:20px; margin:0 0 12px; display:flex; align-items:center; gap:10px; flex-wrap:wrap; }
h2 { font-size:15px; margin:22px 0 8px; color:#323f4b; }
h3 { font-size:14px; margin:0; display:flex; align-items:center; gap:8px; flex-wrap:wrap; }
a { color:var(--accent); text-decoration:none; } a:hover { text-decoration:underline; }
code, .mono { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:12.5px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:14px 16px; margin-bottom:14px; }
table { width:100%; border-collapse:collapse; background:var(--card); font-size:13px; }
th { white-space:nowrap; }
th, td { text-align:left; padding:6px 9px; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-size:12px; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); font-weight:600; background:#f0f3f7; }
tbody tr:nth-child(even) td { background:#fafbfc; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
.table-wrap { border:1px solid var(--line); border-radius:8px; overflow:auto; }
.table-wrap table { border:0; }
.table-wrap tr:last-child td { border-bottom:0; }
.muted { color:var(--muted); }
.err { color:#ab091e; }
.badge { display:inline-block; padding:1px 8px; border-radius:999px; font-size:12px; font-weight:600; background:#e4e7eb; color:#323f4b; white-space:nowrap; }
.s-succeeded, .s-delivered, .s-ok { background:#d7f5e1; color:#0e6232; }
.s-failed, .s-blocked, .s-error { background:#fde1e1; color:#9b1c1c; }
.s-running, .s-active { background:#dbe8ff; color:#1c3f94; }
.s-pending, .s-sending, .s-retry, .s-created, .s-queued { background:#fff1c9; color:#7a5200; }
.s-cancelled, .s-gone { background:#e4e7eb; color:#52606d; }
.s-manual { background:#ede3ff; color:#4c2a99; }
form.filters { display:flex; gap:10px; align-items:flex-end; flex-wrap:wrap; margin-bottom:14px; }
label { display:flex; flex-direction:column; gap:3px; font-size:12px; color:var(--muted); }
input, select { font:inherit; padding:6px 8px; border:1px solid #bcc5d0; border-radius:6px; background:#fff; color:var(--fg); }
input[type=search] { width:340px; }
button { font:inherit; padding:6px 12px; border-radius:6px; border:1px solid #bcc5d0; background:#fff; color:var(--fg); cursor:pointer; }
button.primary { background:var(--accent); border-color:var(--accent); color:#fff; }
button.danger { border-color:#d64545; color:#9b1c1c; }
button:disabled { opacity:.6; cursor:default; }
form.inline { display:inline; margin:0; }
.actions { display:flex; gap:8px; margin:4px 0 10px; }
dl.facts { display:grid; grid-template-columns:max-content 1fr max-content 1fr; gap:4px 16px; margin:0; }
dl.facts dt { color:var(--muted); } dl.facts dd { margin:0; overflow-wrap:anywhere; }
.notice { padding:8px 12px; border-radius:6px; margin-bottom:14px; background:#dbe8ff; color:#1c3f94; border:1px solid #b3ccf5; }
.notice.bad { background:#fde1e1; color:#9b1c1c; border-color:#f5b5b5; }
.toolbar { display:flex; gap:20px; align-items:flex-start; justify-content:space-between; flex-wrap:wrap; margin-bottom:14px; }
.toolbar form.filters { margin:0; padding-top:4px; }
.depth { padding:10px 12px; margin:0; min-width:360px; }
.depth h2 { margin:0 0 6px; font-size:13px; }
.depth table th, .depth table td { padding:3px 8px; }
.depth p { margin:0; font-size:12.5px; }
td.nowrap, .nowrap { white-space:nowrap; }
pre { margin:6px 0 0; padding:10px; background:#f0f3f7; border-radius:6px; overflow:auto; max-height:300px; }
details { margin-top:8px; } details + details { margin-top:4px; }
details summary { cursor:pointer; color:var(--muted); }
h1 .mono { font-size:17px; font-weight:600; }
h1 .kicker { color:var(--muted); font-weight:400; }
.login { max-width:380px; margin:80px auto; }
.login form { display:flex; flex-direction:column; gap:12px; }
.login input { width:100%; }
.delivery-head { display:flex; align-items:center; gap:10px; justify-content:space-between; flex-wrap:wrap; margin-bottom:8px; }
.delivery-meta { color:var(--muted); font-size:12.5px; margin-bottom:8px; overflow-wrap:anywhere; }
`;

/**
 * A little script: confirm before Retry/Cancel, disable a button once its form is sent, and
 * reload the page (bounded, ~30 s) while it waits for the worker to record what was asked.
 */
const SCRIPT = `
for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (e) => { if (!confirm(form.dataset.confirm)) e.preventDefault(); });
}
for (const form of document.querySelectorAll("form.action")) {
  form.addEventListener("submit", (e) => {
    if (e.defaultPrevented) return;
    const b = form.querySelector("button"); if (b) { b.disabled = true; b.textContent = b.dataset.busy || "…"; }
  });
}
if (document.body.dataset.wait === "1") {
  const u = new URL(location.href);
  const n = Number(u.searchParams.get("tries") || "0");
  if (n < 30) { u.searchParams.set("tries", String(n + 1)); setTimeout(() => location.replace(u.href), 1000); }
}
`;

export function page(title: string, chrome: PageChrome, body: Html, opts: { wait?: boolean } = {}): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title} · deskgate ops</title>
<link rel="icon" href="data:,">
<style nonce="${chrome.nonce}">${raw(STYLE)}</style>
</head>
<body data-wait="${opts.wait ? "1" : "0"}">
<header>
  <a class="brand" href="/ops">deskgate <span>ops</span></a>
  ${chrome.signedIn ? html`<nav><a href="/ops">Tasks</a> <a href="/ops/audit">Audit</a></nav>` : ""}
  ${
    chrome.signedIn
      ? html`<span class="who">signed in with key <strong>${chrome.signedIn.keyName}</strong></span>
  <form method="post" action="/ops/logout"><input type="hidden" name="csrf" value="${chrome.signedIn.csrf}"><button type="submit">Log out</button></form>`
      : ""
  }
</header>
<main>
${body}
</main>
<script nonce="${chrome.nonce}">${raw(SCRIPT)}</script>
</body>
</html>`;
}

export function loginPage(chrome: PageChrome, opts: { next: string; error?: string }): Html {
  return page(
    "Log in",
    chrome,
    html`<div class="login card">
  <h1>Operator log-in</h1>
  <p class="muted">Sign in with an API key that has the <code>admin</code> scope. The key is checked once
  and not stored in your browser; the session ends after a while or when the api restarts.</p>
  ${opts.error ? html`<div class="notice bad" role="alert">${opts.error}</div>` : ""}
  <form method="post" action="/ops/login">
    <input type="hidden" name="next" value="${opts.next}">
    <label>API key <input type="password" name="api_key" autocomplete="off" required autofocus></label>
    <button class="primary" type="submit">Log in</button>
  </form>
</div>`,
  );
}

export function messagePage(chrome: PageChrome, title: string, message: string, back = true): Html {
  return page(
    title,
    chrome,
    html`<div class="card">
  <h1>${title}</h1>
  <p>${message}</p>
  ${back ? html`<p><a href="/ops">Back to tasks</a></p>` : ""}
</div>`,
  );
}

export function forbiddenPage(chrome: PageChrome, message: string): Html {
  return page(
    "Forbidden",
    chrome,
    html`<div class="card">
  <h1>403 · Forbidden</h1>
  <p>${message}</p>
  <p><a href="/ops/login">Log in with another key</a></p>
</div>`,
  );
}

export interface ListView {
  tasks: TaskListRow[];
  filter: { state: string; kind: string; q: string };
  states: readonly string[];
  kinds: readonly string[];
  depths: QueueDepthRow[] | null;
  limit: number;
  now: Date;
}

export function taskListPage(chrome: PageChrome, view: ListView): Html {
  const { filter } = view;
  const option = (value: string, current: string) =>
    html`<option value="${value}" ${value === current ? "selected" : ""}>${value}</option>`;
  const filtered = Boolean(filter.state || filter.kind || filter.q);
  return page(
    "Tasks",
    chrome,
    html`<h1>Tasks</h1>
<div class="toolbar">
  <form class="filters" method="get" action="/ops">
    <label>Search
      <input type="search" name="q" value="${filter.q}" placeholder="task id, username, desktop uuid, ticket or requester">
    </label>
    <label>State
      <select name="state"><option value="">any</option>${view.states.map((s) => option(s, filter.state))}</select>
    </label>
    <label>Kind
      <select name="kind"><option value="">any</option>${view.kinds.map((k) => option(k, filter.kind))}</select>
    </label>
    <button class="primary" type="submit">Filter</button>
    ${filtered ? html`<a href="/ops">Clear</a>` : ""}
  </form>
  <div class="card depth"><h2>Queue depth</h2>${queueDepths(view.depths, view.now)}</div>
</div>
<div class="table-wrap">
<table id="tasks">
  <thead><tr><th>Task</th><th>Kind</th><th>State</th><th>User</th><th>Desktop</th><th>Ticket</th><th class="num">Tries</th><th>Created</th><th class="num">Took</th><th>Error</th></tr></thead>
  <tbody>
  ${
    view.tasks.length
      ? view.tasks.map(
          (t) => html`<tr data-task-id="${t.id}">
    <td class="nowrap"><a class="mono" href="/ops/tasks/${t.id}">${t.id}</a></td>
    <td class="nowrap">${t.kind}</td>
    <td>${badge(t.state)}</td>
    <td>${t.username ?? ""}</td>
    <td class="mono nowrap">${t.desktopUuid ?? ""}</td>
    <td class="nowrap" title="${t.requester ?? ""}">${t.ticketId ?? ""}</td>
    <td class="num">${t.attempts}</td>
    <td class="nowrap">${when(t.createdAt)}</td>
    <td class="num nowrap">${t.finishedAt ? took(t.createdAt, t.finishedAt) : ""}</td>
    <td class="err">${t.error ?? ""}</td>
  </tr>`,
        )
      : html`<tr><td colspan="10" class="muted">No task matches.</td></tr>`
  }
  </tbody>
</table>
</div>
<p class="muted">${view.tasks.length} task${view.tasks.length === 1 ? "" : "s"} shown, newest first${view.tasks.length >= view.limit ? html` (first ${view.limit})` : ""}. Times are UTC.</p>`,
  );
}

/**
 * pg-boss jobs by queue: waiting (created + retry), active, failed (kept for a week), and the
 * age of the oldest waiting job. Queues with none of these are left out.
 */
function queueDepths(rows: QueueDepthRow[] | null, now: Date): Html {
  if (rows === null) return html`<p class="muted">Unavailable (see the api log).</p>`;
  const count = (queue: string, states: string[]) =>
    rows.filter((r) => r.queue === queue && states.includes(r.state)).reduce((n, r) => n + Number(r.jobs), 0);
  const oldest = (queue: string) => {
    const times = rows
      .filter(
        (r) => r.queue === queue && (r.state === "created" || r.state === "retry") && r.oldest_created_on,
      )
      .map((r) => new Date(r.oldest_created_on as string | Date).getTime());
    return times.length ? age(now.getTime() - Math.min(...times)) : "";
  };
  const queues = [...new Set(rows.map((r) => r.queue))]
    .sort()
    .map((q) => ({
      q,
      waiting: count(q, ["created", "retry"]),
      active: count(q, ["active"]),
      failed: count(q, ["failed"]),
      oldest: oldest(q),
    }))
    .filter((r) => r.waiting || r.active || r.failed);
  if (!queues.length) return html`<p class="muted">No job waiting, running or failed.</p>`;
  const cell = (n: number) => html`<td class="num ${n ? "" : "muted"}">${n}</td>`;
  return html`<table id="queue-depth">
  <thead><tr><th>Queue</th><th class="num">Waiting</th><th class="num">Active</th><th class="num">Failed</th><th class="num">Oldest waiting</th></tr></thead>
  <tbody>${queues.map(
    (r) =>
      html`<tr data-queue="${r.q}"><td class="mono">${r.q}</td>${cell(r.waiting)}${cell(r.active)}${cell(r.failed)}<td class="num">${r.oldest}</td></tr>`,
  )}</tbody>
</table>`;
}

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

export interface TaskView {
  detail: TaskDetail;
  /** Operator actions on this task and its deliveries, newest first. */
  audit: AuditEvent[];
  csrf: string;
  notice?: { text: string; bad?: boolean };
  wait: boolean;
}

const RETRYABLE = new Set(["failed", "cancelled"]);
const CANCELLABLE = new Set(["queued", "running"]);

export function taskPage(chrome: PageChrome, view: TaskView): Html {
  const { task, steps, deliveries } = view.detail;
  const csrf = html`<input type="hidden" name="csrf" value="${view.csrf}">`;
  return page(
    `Task ${task.id}`,
    chrome,
    html`<p><a href="/ops">← Tasks</a></p>
${view.notice ? html`<div class="notice ${view.notice.bad ? "bad" : ""}" role="status">${view.notice.text}</div>` : ""}
<div class="card">
  <h1><span class="kicker">Task</span> <span class="mono">${task.id}</span> ${badge(task.state)}</h1>
  <div class="actions">
    ${
      RETRYABLE.has(task.state)
        ? html`<form class="inline action" method="post" action="/ops/tasks/${task.id}/retry" data-confirm="Run this task again?">${csrf}<button class="primary" type="submit" data-busy="Retrying…">Retry</button></form>`
        : ""
    }
    ${
      CANCELLABLE.has(task.state)
        ? html`<form class="inline action" method="post" action="/ops/tasks/${task.id}/cancel" data-confirm="Cancel this task?">${csrf}<button class="danger" type="submit" data-busy="Cancelling…">Cancel</button></form>`
        : ""
    }
  </div>
  <dl class="facts">
    <dt>Kind</dt><dd>${task.kind}</dd>
    <dt>Tries</dt><dd>${task.attempts}</dd>
    <dt>Created</dt><dd>${when(task.createdAt)}</dd>
    <dt>Started</dt><dd>${when(task.startedAt)}</dd>
    <dt>Finished</dt><dd>${when(task.finishedAt)}</dd>
    <dt>Updated</dt><dd>${when(task.updatedAt)}</dd>
    <dt>API key id</dt><dd class="mono">${task.apiKeyId ?? "—"}</dd>
    <dt>Callback URL</dt><dd class="mono">${task.callbackUrl ?? "—"}</dd>
    <dt>Ticket</dt><dd>${task.ticketId ?? "—"}</dd>
    <dt>Requester</dt><dd>${task.requester ?? "—"}</dd>
    ${task.error ? html`<dt>Error</dt><dd class="err">${task.error}</dd>` : ""}
  </dl>
  <details><summary>Request</summary><pre>${json(task.request)}</pre></details>
  ${task.result === null ? "" : html`<details><summary>Result</summary><pre>${json(task.result)}</pre></details>`}
</div>

<h2>Steps</h2>
<div class="table-wrap"><table id="steps">
  <thead><tr><th class="num">#</th><th>Step</th><th>Outcome</th><th>Detail</th><th>Upstream request id</th><th>Started (UTC)</th><th class="num">Took</th></tr></thead>
  <tbody>${
    steps.length
      ? steps.map(
          (s, i) => html`<tr>
    <td class="num">${i + 1}</td><td>${s.name}</td><td>${badge(s.outcome)}</td><td>${s.detail ?? ""}</td>
    <td class="mono">${s.upstreamRequestId ?? ""}</td><td>${when(s.startedAt)}</td><td class="num">${took(s.startedAt, s.endedAt)}</td>
  </tr>`,
        )
      : html`<tr><td colspan="7" class="muted">No steps yet.</td></tr>`
  }</tbody>
</table></div>

<h2>Callback deliveries</h2>
${
  deliveries.length
    ? deliveries.map(
        (d) => html`<div class="card delivery" data-delivery-id="${d.id}">
  <div class="delivery-head">
    <h3>Delivery <span class="mono">${d.id}</span> ${badge(d.state)}</h3>
    <form class="inline action" method="post" action="/ops/deliveries/${d.id}/redeliver">${csrf}<button type="submit" data-busy="Requesting…">Redeliver</button></form>
  </div>
  <div class="delivery-meta">to <span class="mono">${d.url}</span> · webhook-id <span class="mono">${d.webhookId}</span> · ${d.attempts} attempt${d.attempts === 1 ? "" : "s"}${d.nextAttemptAt ? html` · next at ${when(d.nextAttemptAt)}` : ""}${d.finishedAt ? html` · settled ${when(d.finishedAt)}` : ""}</div>
  <div class="table-wrap"><table class="attempts">
    <thead><tr><th class="num">#</th><th>Trigger</th><th>Outcome</th><th class="num">HTTP</th><th>Error</th><th class="num">Latency</th><th>Response</th><th>Started (UTC)</th></tr></thead>
    <tbody>${
      d.attemptRows.length
        ? d.attemptRows.map(
            (
              a,
            ) => html`<tr data-attempt="${a.attempt}" data-trigger="${a.trigger}" data-outcome="${a.outcome}">
      <td class="num">${a.attempt}</td><td>${badge(a.trigger)}</td><td>${badge(a.outcome)}</td>
      <td class="num">${a.httpStatus ?? ""}</td><td>${a.errorClass ?? ""}</td>
      <td class="num">${a.latencyMs === null ? "" : `${a.latencyMs} ms`}</td>
      <td class="mono">${a.responsePrefix ?? ""}</td><td>${when(a.startedAt)}</td>
    </tr>`,
          )
        : html`<tr><td colspan="8" class="muted">No attempt yet.</td></tr>`
    }</tbody>
  </table></div>
</div>`,
      )
    : html`<p class="muted">This task has no callback deliveries.</p>`
}

<h2>Operator actions</h2>
${auditTable(view.audit, false)}`,
    { wait: view.wait },
  );
}

/** The audit trail (GET /ops/audit): every operator action, newest first. */
export function auditPage(chrome: PageChrome, view: { events: AuditEvent[]; limit: number }): Html {
  return page(
    "Audit trail",
    chrome,
    html`<p><a href="/ops">← Tasks</a></p>
<h1>Audit trail</h1>
<p class="muted">Retry, cancel, redelivery, key and HPC account changes, from /ops and the CLI; the newest ${view.limit}.</p>
${auditTable(view.events, true)}`,
  );
}

function auditTable(events: AuditEvent[], withTarget: boolean): Html {
  if (events.length === 0) return html`<p class="muted">No operator action recorded.</p>`;
  return html`<div class="table-wrap"><table id="audit">
  <thead><tr><th>At (UTC)</th><th>Who</th><th>Action</th>${withTarget ? html`<th>Target</th>` : ""}<th>Outcome</th><th>Detail</th></tr></thead>
  <tbody>${events.map(
    (e) => html`<tr data-action="${e.action}" data-outcome="${e.outcome}">
    <td>${when(e.at)}</td><td class="mono">${e.actor}</td><td>${e.action}</td>${
      withTarget ? html`<td class="mono">${auditTarget(e)}</td>` : ""
    }<td>${badge(e.outcome)}</td><td>${e.detail ?? ""}</td>
  </tr>`,
  )}</tbody>
</table></div>`;
}

/** A task's id links to its page. */
function auditTarget(e: AuditEvent): Html {
  return e.action.startsWith("task.") && /^[0-9a-f-]{36}$/.test(e.target)
    ? html`<a href="/ops/tasks/${e.target}">${e.target}</a>`
    : html`${e.target}`;
}

function badge(state: string): Html {
  const cls = /^[a-z_]+$/.test(state) ? `s-${state}` : "";
  return html`<span class="badge ${cls}">${state}</span>`;
}

function when(d: Date | string | null | undefined): string {
  if (!d) return "—";
  const date = d instanceof Date ? d : new Date(d);
  return Number.isNaN(date.getTime()) ? String(d) : date.toISOString().replace("T", " ").slice(0, 19);
}

function took(start: Date, end: Date | null): string {
  if (!end) return "…";
  const ms = end.getTime() - start.getTime();
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

const SECRET_KEY = /pass(word)?|secret|token|sealed|api_?key/i;

/** Pretty JSON with any secret-looking field's value replaced (requests keep passwords sealed; belt and braces). */
export function json(value: unknown): string {
  return JSON.stringify(
    value,
    (key, v) => (key && SECRET_KEY.test(key) && v !== "" && v !== null ? "[redacted]" : v),
    2,
  );
}
