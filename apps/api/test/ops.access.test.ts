import { randomUUID } from "node:crypto";
import { createApiKey, getTask, listAudit, schema } from "@deskgate/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csrfOf, opsGet, opsLogin, opsPost } from "./support/ops-session.ts";
import { startStack } from "./support/stack.ts";

// The /ops page's access rules over real HTTP: login form, admin scope, signed session
// cookie, CSRF token on every POST, escaped output, no secrets. (No worker: tasks stay put.)
let stack: Awaited<ReturnType<typeof startStack>>;
let admin: string; // a logged-in admin session's cookie

beforeAll(async () => {
  stack = await startStack({ worker: false });
  admin = (await opsLogin(stack.apiUrl, stack.keys.admin)).cookie;
});
afterAll(async () => {
  await stack?.stop();
});

async function insertTask(values: Partial<typeof schema.tasks.$inferInsert> = {}) {
  const id = randomUUID();
  await stack.database.db.insert(schema.tasks).values({
    id,
    kind: "desktop.apply",
    state: "queued",
    request: { username: "ops-user", os: "win10" },
    ...values,
  });
  return id;
}

describe("/ops access", () => {
  it("answers the login page with 401 when there is no session, for pages and actions alike", async () => {
    for (const path of ["/ops", "/ops/tasks/00000000-0000-4000-8000-000000000000", "/ops/nope"]) {
      const res = await opsGet(stack.apiUrl, path);
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      const page = await res.text();
      expect(page).toContain('action="/ops/login"');
      expect(page).toContain('name="api_key"');
    }
    const post = await opsPost(stack.apiUrl, `/ops/tasks/${randomUUID()}/cancel`, { csrf: "x" });
    expect(post.status).toBe(401);
    // An API key in a header is not a session: the page only takes the login form.
    const bearer = await fetch(`${stack.apiUrl}/ops`, {
      headers: { authorization: `Bearer ${stack.keys.admin}` },
    });
    expect(bearer.status).toBe(401);
  });

  it("refuses an unknown key (401) and a key without admin scope (403), without a cookie", async () => {
    const unknown = await opsLogin(stack.apiUrl, "dg_not-a-key");
    expect(unknown.res.status).toBe(401);
    expect(unknown.setCookie).toBe("");
    expect(await unknown.res.text()).toContain("not valid");

    for (const key of [stack.keys.desktop, stack.keys.hpc]) {
      const login = await opsLogin(stack.apiUrl, key);
      expect(login.res.status).toBe(403);
      expect(login.setCookie).toBe("");
      expect(await login.res.text()).toContain("no admin scope");
    }
  });

  it("logs an admin key in with a signed HttpOnly SameSite=Strict cookie that does not hold the key", async () => {
    const login = await opsLogin(stack.apiUrl, stack.keys.admin, "/ops?state=failed");
    expect(login.res.status).toBe(303);
    expect(login.res.headers.get("location")).toBe("/ops?state=failed");
    expect(login.setCookie).toMatch(/^deskgate_ops=v1\./);
    expect(login.setCookie).toMatch(/HttpOnly/i);
    expect(login.setCookie).toMatch(/SameSite=Strict/i);
    expect(login.setCookie).toMatch(/Path=\/ops/);
    expect(login.setCookie).not.toMatch(/Secure/i); // plain http here; https sets Secure
    expect(login.setCookie).not.toContain(stack.keys.admin);
    expect(login.setCookie).not.toContain(stack.keys.admin.slice(3, 20));

    const res = await opsGet(stack.apiUrl, "/ops", login.cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const page = await res.text();
    expect(page).toContain("<h1>Tasks</h1>");
    expect(page).toContain("test-admin");
    // The page's own style and script are inserted verbatim (only they are; the rest is escaped).
    expect(page).toContain('"Segoe UI"');
    expect(page).toContain('document.querySelectorAll("form[data-confirm]")');
  });

  it("sets Secure on the cookie behind https", async () => {
    const res = await fetch(`${stack.apiUrl}/ops/login`, {
      method: "POST",
      headers: { "x-forwarded-proto": "https" },
      body: new URLSearchParams({ api_key: stack.keys.admin }),
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("set-cookie")).toMatch(/;\s*Secure/i);
  });

  it("never redirects off /ops after login", async () => {
    for (const next of ["https://evil.example/", "//evil.example/ops", "/api/task/x", "/opsx"]) {
      const login = await opsLogin(stack.apiUrl, stack.keys.admin, next);
      expect(login.res.headers.get("location")).toBe("/ops");
    }
  });

  it("rejects a forged or tampered cookie", async () => {
    const [name, value] = admin.split("=") as [string, string];
    const parts = value.split(".");
    const otherId = `${name}=${[parts[0], randomUUID(), parts[2], parts[3]].join(".")}`;
    const longer = `${name}=${[parts[0], parts[1], String(Number(parts[2]) + 3600), parts[3]].join(".")}`;
    for (const cookie of [otherId, longer, `${name}=v1.garbage`, `${name}=${value}x`]) {
      expect((await opsGet(stack.apiUrl, "/ops", cookie)).status).toBe(401);
    }
  });

  it("ends a session when its key is revoked or loses admin", async () => {
    const created = await createApiKey(stack.database.db, { name: "ops-temp", scopes: ["admin"] });
    const { cookie } = await opsLogin(stack.apiUrl, created.key);
    expect((await opsGet(stack.apiUrl, "/ops", cookie)).status).toBe(200);

    await stack.database.sql`update api_keys set scopes = '{desktop}' where id = ${created.id}`;
    expect((await opsGet(stack.apiUrl, "/ops", cookie)).status).toBe(403);

    await stack.database
      .sql`update api_keys set scopes = '{admin}', revoked_at = now() where id = ${created.id}`;
    const revoked = await opsGet(stack.apiUrl, "/ops", cookie);
    expect(revoked.status).toBe(401);
    expect(await revoked.text()).toContain("revoked");
  });

  it("requires the session's CSRF token on every POST", async () => {
    const id = await insertTask();
    const page = await (await opsGet(stack.apiUrl, `/ops/tasks/${id}`, admin)).text();
    const csrf = csrfOf(page);

    const none = await opsPost(stack.apiUrl, `/ops/tasks/${id}/cancel`, {}, admin);
    expect(none.status).toBe(403);
    expect(await none.text()).toContain("security token");
    const wrong = await opsPost(
      stack.apiUrl,
      `/ops/tasks/${id}/cancel`,
      { csrf: `${csrf.slice(0, -2)}AA` },
      admin,
    );
    expect(wrong.status).toBe(403);
    // Another session's token does not fit this session (a second later → another expiry).
    await new Promise((r) => setTimeout(r, 1100));
    const other = await opsLogin(stack.apiUrl, stack.keys.admin);
    expect(other.cookie).not.toBe(admin);
    const otherCsrf = csrfOf(await (await opsGet(stack.apiUrl, "/ops", other.cookie)).text());
    expect((await opsPost(stack.apiUrl, `/ops/tasks/${id}/cancel`, { csrf: otherCsrf }, admin)).status).toBe(
      403,
    );
    expect((await getTask(stack.database.db, id))?.state).toBe("queued");
    // Logging out needs it too.
    expect((await opsPost(stack.apiUrl, "/ops/logout", {}, admin)).status).toBe(403);

    const ok = await opsPost(stack.apiUrl, `/ops/tasks/${id}/cancel`, { csrf }, admin);
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe(`/ops/tasks/${id}?done=cancel`);
    expect((await getTask(stack.database.db, id))?.state).toBe("cancelled");
  });

  it("shows an operator function's refusal, and retries a cancelled task", async () => {
    const id = await insertTask({ state: "succeeded", finishedAt: new Date() });
    const csrf = csrfOf(await (await opsGet(stack.apiUrl, `/ops/tasks/${id}`, admin)).text());
    const refused = await opsPost(stack.apiUrl, `/ops/tasks/${id}/retry`, { csrf }, admin);
    expect(refused.status).toBe(303);
    const back = await (await opsGet(stack.apiUrl, refused.headers.get("location")!, admin)).text();
    expect(back).toContain("Refused");
    expect(back).toContain("only a failed or cancelled task can be retried");

    const cancelled = await insertTask({ state: "cancelled", error: "cancelled by an operator" });
    const page = await (await opsGet(stack.apiUrl, `/ops/tasks/${cancelled}`, admin)).text();
    expect(page).toContain(`action="/ops/tasks/${cancelled}/retry"`);
    expect(page).not.toContain(`/ops/tasks/${cancelled}/cancel`);
    const retried = await opsPost(stack.apiUrl, `/ops/tasks/${cancelled}/retry`, { csrf }, admin);
    expect(retried.headers.get("location")).toBe(`/ops/tasks/${cancelled}?done=retry`);
    expect((await getTask(stack.database.db, cancelled))?.state).toBe("queued");
  });

  it("records each action in the audit trail with who, what and how it ended; shows it on the task and /ops/audit", async () => {
    const id = await insertTask({ state: "succeeded", finishedAt: new Date() });
    const csrf = csrfOf(await (await opsGet(stack.apiUrl, `/ops/tasks/${id}`, admin)).text());
    await opsPost(stack.apiUrl, `/ops/tasks/${id}/retry`, { csrf }, admin);
    const cancelled = await insertTask({ state: "cancelled", error: "cancelled by an operator" });
    await opsPost(stack.apiUrl, `/ops/tasks/${cancelled}/retry`, { csrf }, admin);

    const [refused] = await listAudit(stack.database.db, { target: id });
    expect(refused).toMatchObject({
      actor: "ops:test-admin",
      action: "task.retry",
      target: id,
      outcome: "refused",
      detail: expect.stringContaining("only a failed or cancelled task can be retried"),
    });
    expect(refused!.at.getTime()).toBeGreaterThan(Date.now() - 60_000);
    const [done] = await listAudit(stack.database.db, { target: cancelled });
    expect(done).toMatchObject({
      actor: "ops:test-admin",
      action: "task.retry",
      outcome: "ok",
      detail: null,
    });

    const taskPage = await (await opsGet(stack.apiUrl, `/ops/tasks/${id}`, admin)).text();
    expect(taskPage).toMatch(/<tr data-action="task.retry" data-outcome="refused">/);
    const audit = await opsGet(stack.apiUrl, "/ops/audit", admin);
    expect(audit.status).toBe(200);
    const auditHtml = await audit.text();
    expect(auditHtml).toContain(`<a href="/ops/tasks/${cancelled}">${cancelled}</a>`);
    expect(auditHtml).toContain("ops:test-admin");
    // The SQL view shows the same, newest first.
    const rows = await stack.database.sql<{ target: string }[]>`select target from ops_audit limit 2`;
    expect(rows.map((r) => r.target)).toEqual([cancelled, id]);
    expect((await opsGet(stack.apiUrl, "/ops/audit")).status).toBe(401);
  });

  it("escapes everything it shows and never shows progress or sealed secrets", async () => {
    const nasty = `<img src=x onerror="alert(1)">`;
    const id = await insertTask({
      state: "failed",
      error: `upstream said <script>alert("x")</script>`,
      request: { username: nasty, os: "win10", password_sealed: "SEALED-IN-REQUEST" },
      progress: { sealedPassword: "SEALED-IN-PROGRESS", step: "PROGRESS-MARKER" },
    });
    const list = await (await opsGet(stack.apiUrl, `/ops?q=${encodeURIComponent(nasty)}`, admin)).text();
    expect(list).toContain(`data-task-id="${id}"`);
    expect(list).not.toContain(nasty);
    expect(list).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    expect(list).not.toContain("<script>alert");

    const page = await (await opsGet(stack.apiUrl, `/ops/tasks/${id}`, admin)).text();
    expect(page).not.toContain(nasty);
    expect(page).not.toContain("<script>alert");
    for (const secret of ["SEALED-IN-REQUEST", "SEALED-IN-PROGRESS", "PROGRESS-MARKER"]) {
      expect(page).not.toContain(secret);
    }
    // The only script on the page is the page's own, with the response's nonce.
    expect(page.match(/<script/g)).toHaveLength(1);
  });

  it("filters by state and kind and searches by id, username and desktop uuid", async () => {
    const desktop = randomUUID();
    const a = await insertTask({
      kind: "desktop.volumes",
      state: "failed",
      request: { desktop_uuid: desktop },
    });
    const b = await insertTask({
      kind: "user.pwd_reset",
      state: "succeeded",
      request: { username: "findme_01" },
    });
    const list = async (query: string) =>
      (await (await opsGet(stack.apiUrl, `/ops?${query}`, admin)).text()).match(/data-task-id="([^"]+)"/g) ??
      [];
    expect(await list(`q=${a}`)).toEqual([`data-task-id="${a}"`]);
    expect(await list(`q=${desktop}`)).toEqual([`data-task-id="${a}"`]);
    expect(await list("q=findme_01")).toEqual([`data-task-id="${b}"`]);
    expect(await list("kind=user.pwd_reset")).toEqual([`data-task-id="${b}"`]);
    expect(await list("state=failed&kind=desktop.volumes")).toContain(`data-task-id="${a}"`);
    expect(await list("state=failed&kind=user.pwd_reset")).toEqual([]);
    // Unknown filter values are ignored, not an error.
    expect((await opsGet(stack.apiUrl, "/ops?state=<x>&kind=nope", admin)).status).toBe(200);
    expect((await opsGet(stack.apiUrl, "/ops/tasks/not-a-uuid", admin)).status).toBe(404);
  });

  it("logs out", async () => {
    const { cookie } = await opsLogin(stack.apiUrl, stack.keys.admin);
    const csrf = csrfOf(await (await opsGet(stack.apiUrl, "/ops", cookie)).text());
    const out = await opsPost(stack.apiUrl, "/ops/logout", { csrf }, cookie);
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toBe("/ops/login");
    expect(out.headers.get("set-cookie")).toMatch(/deskgate_ops=;.*Max-Age=0/i);
  });
});
