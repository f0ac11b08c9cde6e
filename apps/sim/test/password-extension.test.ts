import { describe, expect, it } from "vitest";
import { createUser, PASSWORD, start } from "./helpers.ts";

describe("set-password extension (x-deskgate-password)", () => {
  it("sets a chosen password and enforces the password rules", async () => {
    const h = await start();
    const id = await createUser(h, "pat_01");
    const put = (password: string) => h.vdi("PUT", `/users/${id}/x-deskgate-password`, { password });

    const ok = await put("New!Passw0rd");
    expect(ok.status).toBe(204);
    expect(ok.headers.get("x-request-id")).toBeTruthy();
    expect((await h.call("GET", "/_sim/state")).body.users[0].password).toBe("New!Passw0rd");

    const weak = await put("password");
    expect(weak).toMatchObject({ status: 400, body: { error_code: "WKS.00170101" } });
    expect(weak.body.error_msg).toMatch(/complexity/);
    expect(await put(PASSWORD)).toMatchObject({ status: 400, body: { error_code: "WKS.00170102" } });
    expect(await put("New!Passw0rd")).toMatchObject({ status: 400, body: { error_code: "WKS.00170102" } });
    expect(await put("X1!pat_01yz")).toMatchObject({ status: 400, body: { error_code: "WKS.00170103" } });
    const unknown = await h.vdi("PUT", `/users/${"f".repeat(32)}/x-deskgate-password`, {
      password: "Other!Pass9",
    });
    expect(unknown).toMatchObject({ status: 400, body: { error_code: "WKS.00170312" } });
  });

  it("is a 404 like any unknown route when switched off", async () => {
    const h = await start({ setPasswordExtension: false });
    const id = await createUser(h, "pat_02");
    const res = await h.vdi("PUT", `/users/${id}/x-deskgate-password`, { password: "New!Passw0rd" });
    expect(res).toMatchObject({ status: 404, body: { error_code: "APIGW.0101" } });
    expect(await h.vdi("PUT", "/no-such-route", {})).toMatchObject({ status: 404, body: res.body });
  });
});
