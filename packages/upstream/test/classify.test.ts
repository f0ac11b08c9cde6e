import { describe, expect, it } from "vitest";
import { classifyScnet, envelope } from "../src/adapters/scnet/classify.ts";
import { desktopState } from "../src/adapters/workspace/desktops.ts";
import { jobStatus } from "../src/adapters/workspace/jobs.ts";
import { classifyWorkspaceError } from "../src/index.ts";

const res = (status: number, body: unknown, retryAfterMs: number | null = null) => ({
  status,
  body,
  requestId: "req-1",
  retryAfterMs,
});

describe("Workspace classification (UPSTREAM-VDI §7.3)", () => {
  const cases: [number, string | null, boolean, string][] = [
    [429, "APIG.0308", true, "throttled"],
    [500, "WKS.99000500", true, "unavailable"],
    [502, null, true, "unavailable"],
    [503, null, true, "unavailable"],
    [504, null, true, "unavailable"],
    [400, "WKS.0407", true, "busy"],
    [409, "WKS.00010032", true, "busy"],
    [400, "WKS.0001", false, "invalid"],
    [400, "WKS.00170312", false, "not_found"],
    [404, "WKS.99000002", false, "not_found"],
    [404, "APIGW.0101", false, "not_found"],
    [409, "WKS.99000001", false, "exists"],
    [409, "WKS.99000011", false, "exists"],
    [409, "WKS.00081101", false, "exists"],
    [404, "WKS.00081104", false, "not_found"],
    [403, "WKS.00081105", false, "quota"],
    [400, "WKS.99000003", false, "quota"],
    [400, "WKS.00170101", false, "password_rejected"],
    [400, "WKS.00170103", false, "password_rejected"],
    [401, "APIGW.0301", false, "auth"],
    [403, "WKS.00010099", false, "auth"],
    [400, "WKS.99000004", false, "invalid"],
  ];
  it.each(cases)("HTTP %i %s → transient %s, reason %s", (status, code, transient, reason) => {
    const e = classifyWorkspaceError(
      res(status, code ? { error_code: code, error_msg: "the platform's text" } : null),
      "op",
    );
    expect(e).toMatchObject({
      transient,
      reason,
      platformCode: code,
      httpStatus: status,
      requestId: "req-1",
    });
    expect(e.message).toBe(code ? `op: the platform's text (${code})` : `op: HTTP ${status}`);
  });

  it("a 429 without Retry-After waits 2 s (Huawei's advice); with one, honours it", () => {
    expect(classifyWorkspaceError(res(429, {}), "op").retryAfterMs).toBe(2000);
    expect(classifyWorkspaceError(res(429, {}, 7000), "op").retryAfterMs).toBe(7000);
    expect(classifyWorkspaceError(res(400, {}), "op").retryAfterMs).toBeNull();
  });

  it("reads the SDK's alternative {code, message} body", () => {
    const e = classifyWorkspaceError(res(400, { code: "WKS.00170101", message: "too simple" }), "op");
    expect(e).toMatchObject({ reason: "password_rejected", message: "op: too simple (WKS.00170101)" });
  });
});

describe("SCNet classification (SPEC 2.8)", () => {
  const scnet = (status: number, body: unknown) => {
    const r = res(status, body);
    return classifyScnet(r, envelope(r), "op");
  };
  const cases: [number, string, boolean, string][] = [
    [200, "10011", true, "throttled"],
    [200, "815201", true, "busy"],
    [200, "10008", false, "auth"],
    [200, "10003", false, "invalid"],
    [200, "10004", false, "invalid"],
    [200, "815008", false, "unknown"],
    [200, "10001", false, "unknown"],
    [500, "10001", true, "unavailable"],
    [503, "", true, "unavailable"],
  ];
  it.each(cases)("HTTP %i code %s → transient %s, reason %s", (status, code, transient, reason) => {
    const e = scnet(status, code ? { code, msg: "平台原文", data: null } : null);
    expect(e).toMatchObject({ transient, reason });
    if (code) expect(e.message).toBe(`op: 平台原文 (${code})`);
  });

  it("accepts a numeric code", () => {
    expect(scnet(200, { code: 10008, msg: "权限不足" })).toMatchObject({
      reason: "auth",
      platformCode: "10008",
    });
  });
});

describe("Workspace jobs (§1.4) and desktop states", () => {
  it("maps parent and sub-job statuses", () => {
    const sub = (status: string, extra = {}) => ({ status, entities: { desktop_id: "d-1" }, ...extra });
    expect(jobStatus({ id: "j", status: "WAITING" })).toEqual({ state: "running" });
    expect(jobStatus({ id: "j", status: "RUNNING", sub_jobs: [sub("RUNNING")] })).toEqual({
      state: "running",
    });
    expect(jobStatus({ id: "j", status: "SUCCESS", sub_jobs: [sub("SUCCESS")] })).toEqual({
      state: "succeeded",
      desktopId: "d-1",
    });
    expect(jobStatus({ id: "j", status: "COMPLETE", sub_jobs: [sub("SUCCESS")] })).toMatchObject({
      state: "succeeded",
    });
    const failedSub = sub("FAILED", { error_code: "WKS.00010110", fail_reason: "no IP" });
    expect(jobStatus({ id: "j", status: "COMPLETE", sub_jobs: [sub("SUCCESS"), failedSub] })).toEqual({
      state: "failed",
      code: "WKS.00010110",
      reason: "no IP",
    });
    expect(jobStatus({ id: "j", status: "FAIL", job_error_code: "E", fail_reason: "why" })).toEqual({
      state: "failed",
      code: "E",
      reason: "why",
    });
    expect(jobStatus({ id: "j", status: "FAILED" })).toMatchObject({ state: "failed", code: null });
  });

  it("derives the desktop state", () => {
    const d = (status: string, task_status = "") =>
      desktopState({ desktop_id: "d", computer_name: "c", status, task_status });
    expect(d("", "scheduling")).toBe("creating");
    expect(d("ACTIVE", "spawning")).toBe("creating");
    expect(d("ACTIVE")).toBe("active");
    expect(d("SHUTOFF", "resize_prep")).toBe("active");
    expect(d("ERROR")).toBe("error");
    expect(d("DELETING", "deleting")).toBe("deleting");
  });
});
