import { describe, expect, it } from "vitest";
import { createUser, PASSWORD, start } from "./helpers.ts";

describe("VDI users", () => {
  it("creates, finds by substring, shows and deletes a user", async () => {
    const h = await start();
    const created = await h.vdi("POST", "/users", {
      user_name: "proj_01",
      active_type: "ADMIN_ACTIVATE",
      password: PASSWORD,
    });
    expect(created.status).toBe(201);
    expect(created.body.id).toMatch(/^[0-9a-f]{32}$/);
    await createUser(h, "proj_02");
    await createUser(h, "other");

    const listed = await h.vdi("GET", "/users?user_name=proj");
    expect(listed.body.total_count).toBe(2);
    expect(listed.body.users.map((u: { user_name: string }) => u.user_name)).toEqual(["proj_01", "proj_02"]);
    const paged = await h.vdi("GET", "/users?user_name=proj&limit=1&offset=1");
    expect(paged.body).toMatchObject({ total_count: 2, users: [{ user_name: "proj_02" }] });

    const shown = await h.vdi("GET", `/users/${created.body.id}`);
    expect(shown.body.user_detail).toMatchObject({
      id: created.body.id,
      user_name: "proj_01",
      total_desktops: 0,
    });

    expect((await h.vdi("DELETE", `/users/${created.body.id}`)).status).toBe(204);
    const gone = await h.vdi("GET", `/users/${created.body.id}`);
    expect(gone.status).toBe(400);
    expect(gone.body.error_code).toBe("WKS.00170312");
    const again = await h.vdi("DELETE", `/users/${created.body.id}`);
    expect(again).toMatchObject({ status: 400, body: { error_code: "WKS.00170312" } });
  });

  it("rejects duplicates, bad names, weak passwords and bad JSON", async () => {
    const h = await start();
    await createUser(h, "alice");
    const post = (body: unknown) => h.vdi("POST", "/users", body);
    const admin = (user_name: string, password: string) =>
      post({ user_name, active_type: "ADMIN_ACTIVATE", password });

    expect(await admin("ALICE", PASSWORD)).toMatchObject({
      status: 409,
      body: { error_code: "WKS.99000001" },
    });
    expect(await admin("bad name", PASSWORD)).toMatchObject({
      status: 400,
      body: { error_code: "WKS.99000010" },
    });
    expect(await admin("trailing_", PASSWORD)).toMatchObject({
      status: 400,
      body: { error_code: "WKS.99000010" },
    });
    expect(await admin("bob", "short1!")).toMatchObject({
      status: 400,
      body: { error_code: "WKS.00170101" },
    });
    expect(await admin("bob", "alllowercase1")).toMatchObject({
      status: 400,
      body: { error_code: "WKS.00170101" },
    });
    expect(await admin("bobby", "Xx1!ybbob")).toMatchObject({
      status: 400,
      body: { error_code: "WKS.00170103" },
    });
    expect(await post({ user_name: "bob", active_type: "ADMIN_ACTIVATE" })).toMatchObject({
      status: 400,
      body: { error_code: "WKS.0001" },
    });
    expect(await post({ user_name: "bob" })).toMatchObject({ status: 400, body: { error_code: "WKS.0001" } });
    expect(await post({ user_name: "bob", user_email: "bob@example.com" })).toMatchObject({ status: 201 });
    expect(await h.vdi("POST", "/users", "{not json")).toMatchObject({
      status: 400,
      body: { error_code: "WKS.0001" },
    });
  });

  it("returns and stores a fresh random password", async () => {
    const h = await start();
    const id = await createUser(h, "carol");
    const first = await h.vdi("GET", `/users/${id}/random-password`);
    const second = await h.vdi("GET", `/users/${id}/random-password`);
    for (const res of [first, second]) {
      expect(res.status).toBe(200);
      expect(res.body.password).toMatch(/^[\x21-\x7e]{8,20}$/);
      expect(res.body.password).toMatch(/[A-Z]/);
      expect(res.body.password).toMatch(/[a-z]/);
      expect(res.body.password).toMatch(/[0-9]/);
    }
    expect(second.body.password).not.toBe(first.body.password);
    const state = await h.call("GET", "/_sim/state");
    expect(state.body.users[0].password).toBe(second.body.password);
  });

  it("locks and unlocks through actions", async () => {
    const h = await start();
    const id = await createUser(h, "dave");
    expect((await h.vdi("POST", `/users/${id}/actions`, { op_type: "LOCK" })).status).toBe(204);
    expect((await h.vdi("GET", `/users/${id}`)).body.user_detail.locked).toBe(true);
    expect((await h.vdi("POST", `/users/${id}/actions`, { op_type: "UNLOCK" })).status).toBe(204);
    expect((await h.vdi("GET", `/users/${id}`)).body.user_detail.locked).toBe(false);
    expect(await h.vdi("POST", `/users/${id}/actions`, { op_type: "RESET_PWD" })).toMatchObject({
      status: 400,
    });
    expect(await h.vdi("POST", `/users/${id}/actions`, { op_type: "NOPE" })).toMatchObject({ status: 400 });
  });
});
