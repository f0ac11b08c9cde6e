import { describe, expect, it } from "vitest";
import { provision, start } from "./helpers.ts";

describe("VDI desktop tags", () => {
  it("creates, overwrites, lists and deletes tags; shows them on the desktop and in /_sim/state", async () => {
    const h = await start();
    const { desktopId } = await provision(h, "rosa");
    const base = `/desktops/${desktopId}/tags`;
    expect((await h.vdi("GET", base)).body).toEqual({ tags: [] });
    expect((await h.vdi("POST", base, { tag: { key: "ticket_id", value: "REQ-1" } })).status).toBe(204);
    expect((await h.vdi("POST", base, { tag: { key: "ticket_id", value: "REQ-2" } })).status).toBe(204);
    const action = await h.vdi("POST", `${base}/action`, {
      action: "create",
      tags: [
        { key: "lease", value: "2026-01-01" },
        { key: "owner", value: "" },
      ],
    });
    expect(action.status).toBe(204);
    expect((await h.vdi("GET", base)).body.tags).toEqual([
      { key: "ticket_id", value: "REQ-2" },
      { key: "lease", value: "2026-01-01" },
      { key: "owner", value: "" },
    ]);
    const detail = (await h.vdi("GET", `/desktops/${desktopId}`)).body.desktop;
    expect(detail.tags).toHaveLength(3);
    expect((await h.vdi("GET", "/desktops?user_name=rosa")).body.desktops[0].tags).toHaveLength(3);
    expect((await h.call("GET", "/_sim/state")).body.desktops[0].tags).toHaveLength(3);

    expect((await h.vdi("DELETE", `${base}/lease`)).status).toBe(204);
    expect((await h.vdi("DELETE", `${base}/lease`)).status).toBe(204);
    const del = await h.vdi("POST", `${base}/action`, {
      action: "delete",
      tags: [{ key: "owner" }, { key: "nope" }],
    });
    expect(del.status).toBe(204);
    expect((await h.vdi("GET", base)).body.tags).toEqual([{ key: "ticket_id", value: "REQ-2" }]);
  });

  it("validates keys, values and the count, and 404s an unknown desktop", async () => {
    const h = await start();
    const { desktopId } = await provision(h, "sven");
    const base = `/desktops/${desktopId}/tags`;
    const bad = async (tag: unknown) => (await h.vdi("POST", base, { tag })).body.error_code;
    expect(await bad({ key: "" })).toBe("WKS.0001");
    expect(await bad({ key: "a/b" })).toBe("WKS.0001");
    expect(await bad({ key: " lead" })).toBe("WKS.0001");
    expect(await bad({ key: "_sys_x" })).toBe("WKS.0001");
    expect(await bad({ key: "k".repeat(129) })).toBe("WKS.0001");
    expect(await bad({ key: "k", value: "v".repeat(44) })).toBe("WKS.0001");
    expect(await bad({ key: "k", value: 7 })).toBe("WKS.0001");
    expect((await h.vdi("POST", base, { tag: { key: "项目", value: "工单 1" } })).status).toBe(204);
    expect(await h.vdi("POST", `${base}/action`, { action: "merge", tags: [{ key: "k" }] })).toMatchObject({
      status: 400,
    });
    const nine = Array.from({ length: 9 }, (_, i) => ({ key: `k${i}`, value: "v" }));
    expect((await h.vdi("POST", `${base}/action`, { action: "create", tags: nine })).status).toBe(204);
    const eleventh = await h.vdi("POST", base, { tag: { key: "one-too-many", value: "v" } });
    expect(eleventh).toMatchObject({ status: 400, body: { error_code: "WKS.99000014" } });
    expect((await h.vdi("POST", base, { tag: { key: "k0", value: "overwrite is fine" } })).status).toBe(204);
    expect((await h.vdi("GET", base)).body.tags).toHaveLength(10);
    const unknown = `/desktops/${crypto.randomUUID()}/tags`;
    expect(await h.vdi("GET", unknown)).toMatchObject({ status: 404, body: { error_code: "WKS.99000002" } });
    expect((await h.vdi("POST", unknown, { tag: { key: "k" } })).status).toBe(404);
  });
});
