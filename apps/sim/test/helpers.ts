import { afterEach } from "vitest";
import { createSim, SIM_IMAGES, type SimOptions } from "../src/index.ts";

// biome-ignore lint/suspicious/noExplicitAny: replies are arbitrary JSON, checked field by field with expect().
export type Json = any;

export interface Reply {
  status: number;
  headers: Headers;
  body: Json;
}

export interface Harness {
  url: string;
  /** A raw call against the simulator's origin. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** A VDI call under `/v2/sim-project` with the default token. */
  vdi(method: string, path: string, body?: unknown): Promise<Reply>;
  /** A SCNet call with an optional `token` header. */
  scnet(method: string, path: string, token?: string, headers?: Record<string, string>): Promise<Reply>;
}

const open: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

/** Starts a simulator on a free port (closed after the test) and returns a small client. */
export async function start(options: SimOptions = {}): Promise<Harness> {
  const server = await createSim({ jobPhaseMs: 10, ...options }).listen(0);
  open.push(server);
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(server.url + path, {
      method,
      headers: { "Content-Type": "application/json", ...headers },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  };
  return {
    url: server.url,
    call,
    vdi: (method, path, body) =>
      call(method, `/v2/${options.projectId ?? "sim-project"}${path}`, body, {
        "X-Auth-Token": options.authToken ?? "sim-token",
      }),
    scnet: (method, path, token, headers = {}) =>
      call(method, path, undefined, token ? { token, ...headers } : headers),
  };
}

export const PASSWORD = "Str0ng!Pass";

export async function createUser(h: Harness, name: string): Promise<string> {
  const res = await h.vdi("POST", "/users", {
    user_name: name,
    active_type: "ADMIN_ACTIVATE",
    password: PASSWORD,
  });
  if (res.status !== 201) throw new Error(`create user ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

export function desktopBody(userName: string, extra: Record<string, unknown> = {}) {
  return {
    desktop_type: "DEDICATED",
    product_id: "workspace.x86.c2m4.windows",
    image_type: "gold",
    image_id: SIM_IMAGES.win10.image_id,
    root_volume: { type: "SAS", size: 80 },
    desktops: [{ user_name: userName, user_group: "administrators" }],
    email_notification: false,
    ...extra,
  };
}

/** Polls ShowJob until the job is SUCCESS or FAIL. */
export async function waitJob(h: Harness, jobId: string, timeoutMs = 3000): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await h.vdi("GET", `/workspace-jobs/${jobId}`);
    if (res.body.status === "SUCCESS" || res.body.status === "FAIL") return res.body;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${res.body.status}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Polls until `check` returns a value that is not undefined. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A user with one ACTIVE desktop. */
export async function provision(h: Harness, name: string, extra: Record<string, unknown> = {}) {
  const userId = await createUser(h, name);
  const res = await h.vdi("POST", "/desktops", desktopBody(name, extra));
  if (res.status !== 200) throw new Error(`create desktop: ${res.status} ${JSON.stringify(res.body)}`);
  const job = await waitJob(h, res.body.job_id);
  const desktopId: string = job.sub_jobs[0].entities.desktop_id;
  return { userId, desktopId, job };
}
