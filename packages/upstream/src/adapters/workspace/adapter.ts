import { UpstreamError } from "../../errors.ts";
import { JsonHttpClient, type JsonResponse } from "../../http.ts";
import type {
  DesktopOs,
  DesktopPlatform,
  DesktopState,
  JobStatus,
  PlatformDesktop,
  PlatformUser,
} from "../../port.ts";
import { createRateLimiter } from "../../rate-limit.ts";
import { type RetryOptions, withRetry } from "../../retry.ts";
import { classify } from "./classify.ts";
import type { WsDesktop, WsJob, WsUser } from "./types.ts";

export interface WorkspaceOptions {
  /** e.g. https://workspace.cn-north-4.myhuaweicloud.com, or the simulator's URL */
  baseUrl: string;
  projectId: string;
  /** IAM token sent as X-Auth-Token */
  token: string;
  images: Partial<Record<DesktopOs, string>>;
  products: { windows: string; linux: string };
  requestTimeoutMs?: number;
  /** Client-side limit on calls per second to this platform (0 = unlimited). */
  ratePerSecond?: number;
  retry?: Partial<RetryOptions>;
  /** Whether the platform offers the set-password extension (the simulator does). */
  canSetPassword?: boolean;
}

const LINUX: ReadonlySet<DesktopOs> = new Set(["kylin"]);

/**
 * DesktopPlatform over Huawei Cloud Workspace API v2 (and the bundled simulator, which
 * follows it). Only configuration changes between the two.
 */
export function createWorkspacePlatform(
  opts: WorkspaceOptions,
): DesktopPlatform & { close(): Promise<void> } {
  const http = new JsonHttpClient({
    timeoutMs: opts.requestTimeoutMs ?? 30_000,
    limiter: createRateLimiter(opts.ratePerSecond ?? 0),
  });
  const base = `${opts.baseUrl.replace(/\/$/, "")}/v2/${encodeURIComponent(opts.projectId)}`;
  const retry: RetryOptions = { attempts: 4, baseDelayMs: 200, maxDelayMs: 5000, ...opts.retry };

  /** One call, retried on transient failures; non-2xx answers become classified errors. */
  async function call<T>(
    what: string,
    method: string,
    path: string,
    body?: unknown,
    okStatuses: number[] = [],
  ): Promise<{ data: T; res: JsonResponse }> {
    return withRetry(async () => {
      const res = await http.call(method, base + path, { "x-auth-token": opts.token }, body);
      if ((res.status >= 200 && res.status < 300) || okStatuses.includes(res.status))
        return { data: res.body as T, res };
      throw classify(res, what);
    }, retry);
  }

  const toDesktop = (d: WsDesktop): PlatformDesktop => ({
    id: d.desktop_id,
    name: d.computer_name,
    userName: d.user_name ?? d.attach_user_infos?.[0]?.user_name ?? "",
    state: desktopState(d),
    productId: d.product_id ?? null,
  });

  return {
    name: "workspace",
    capabilities: { canSetPassword: opts.canSetPassword ?? false },

    async findUser(name) {
      const q = new URLSearchParams({ user_name: name, limit: "100", offset: "0" });
      const { data } = await call<{ users?: WsUser[] }>("find user", "GET", `/users?${q}`);
      const user = data.users?.find((u) => u.user_name === name);
      return user ? { id: user.id, name: user.user_name } : null;
    },

    async createUser(name, password): Promise<PlatformUser> {
      const { data } = await call<{ id: string }>("create user", "POST", "/users", {
        user_name: name,
        active_type: "ADMIN_ACTIVATE",
        password,
        account_expires: "0",
        enable_change_password: true,
        next_login_change_password: true,
        description: "managed by deskgate",
      });
      return { id: data.id, name };
    },

    async deleteUser(id) {
      try {
        await call("delete user", "DELETE", `/users/${encodeURIComponent(id)}`);
      } catch (e) {
        if (e instanceof UpstreamError && e.reason === "not_found") return;
        throw e;
      }
    },

    async createDesktop({ userName, os, name }) {
      const imageId = opts.images[os];
      if (!imageId) {
        throw new UpstreamError({
          message: `no image is configured for os ${os}`,
          transient: false,
          reason: "invalid",
        });
      }
      const linux = LINUX.has(os);
      const { data } = await call<{ job_id: string }>("create desktop", "POST", "/desktops", {
        desktop_type: "DEDICATED",
        product_id: linux ? opts.products.linux : opts.products.windows,
        image_type: "gold",
        image_id: imageId,
        root_volume: { type: "SAS", size: 80 },
        desktops: [{ user_name: userName, user_group: linux ? "default" : "users", computer_name: name }],
        email_notification: false,
      });
      return { jobId: data.job_id };
    },

    async findDesktopByName(name) {
      const q = new URLSearchParams({ computer_name: name, limit: "100", offset: "0" });
      const { data } = await call<{ desktops?: WsDesktop[] }>("find desktop", "GET", `/desktops?${q}`);
      const desktop = data.desktops?.find((d) => d.computer_name === name);
      return desktop ? toDesktop(desktop) : null;
    },

    async getDesktop(id) {
      try {
        const { data } = await call<{ desktop: WsDesktop }>(
          "get desktop",
          "GET",
          `/desktops/${encodeURIComponent(id)}`,
        );
        return toDesktop(data.desktop);
      } catch (e) {
        if (e instanceof UpstreamError && e.reason === "not_found") return null;
        throw e;
      }
    },

    async deleteDesktop(id) {
      const q = new URLSearchParams({ delete_users: "false", email_notification: "false" });
      try {
        await call("delete desktop", "DELETE", `/desktops/${encodeURIComponent(id)}?${q}`);
      } catch (e) {
        if (e instanceof UpstreamError && e.reason === "not_found") return;
        throw e;
      }
    },

    async getJob(jobId): Promise<JobStatus> {
      const { data } = await call<WsJob>("get job", "GET", `/workspace-jobs/${encodeURIComponent(jobId)}`);
      return jobStatus(data);
    },

    close: () => http.close(),
  };
}

function desktopState(d: WsDesktop): DesktopState {
  const status = (d.status ?? "").toUpperCase();
  if (status === "ERROR") return "error";
  if (status === "DELETING") return "deleting";
  if (["ACTIVE", "SHUTOFF", "HIBERNATED"].includes(status) && !d.task_status) return "active";
  return "creating";
}

/** UPSTREAM-VDI.md §1.4: success = SUCCESS (or COMPLETE with every sub-job SUCCESS); FAIL/FAILED = failure. */
export function jobStatus(job: WsJob): JobStatus {
  const status = job.status.toUpperCase();
  const subs = job.sub_jobs ?? [];
  const failedSub = subs.find((s) => (s.status ?? "").toUpperCase() !== "SUCCESS");
  const desktopId = subs.find((s) => s.entities?.desktop_id)?.entities?.desktop_id ?? null;
  if (status === "SUCCESS" || (status === "COMPLETE" && !failedSub)) return { state: "succeeded", desktopId };
  if (status === "FAIL" || status === "FAILED" || status === "COMPLETE") {
    return {
      state: "failed",
      code: job.job_error_code || failedSub?.error_code || null,
      reason: job.fail_reason || failedSub?.fail_reason || `platform job ${job.id} ended ${status}`,
    };
  }
  return { state: "running" };
}
