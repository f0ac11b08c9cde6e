import {
  ApplyAck,
  ApplyCallback,
  ApplyRequest,
  DesktopDeleteCallback,
  DesktopDeleteRequest,
  DesktopLeaseCallback,
  DesktopLeaseRequest,
  DesktopPowerCallback,
  DesktopPowerRequest,
  DesktopRebuildCallback,
  DesktopRebuildRequest,
  DesktopVolumesResponse,
  FailureCallback,
  LeaseEventCallback,
  PolicyUpdateCallback,
  PolicyUpdateRequest,
  PolicyUpdateResponse,
  PwdResetRequest,
  PwdResetResponse,
  ResourceUpdateCallback,
  ResourceUpdateRequest,
  TaskResponse,
  UserDesktopsResponse,
  UserLockRequest,
  UserLockResponse,
  UserOffboardCallback,
  UserOffboardRequest,
  VncCloseResponse,
  VncListResponse,
  VncOpenResponse,
} from "@deskgate/contracts";
import { z } from "zod";
import { REQUEST_EXAMPLES, RESPONSE_EXAMPLES } from "./examples.ts";

type Json = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: "input" | "output"): Json {
  const json = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as Json;
  delete json.$schema;
  return json;
}

const PostFailure = z.object({ data: z.object({}), message: z.string(), status: z.literal("-1") });
const GetFailure = z.object({ data: z.array(z.never()), message: z.string(), status: z.literal(-1) });
/** A synchronous request whose task ran and failed: `data.task_id` names the task. */
const SyncFailure = z.object({
  data: z.object({ task_id: z.uuid().optional() }),
  message: z.string(),
  status: z.literal("-1"),
});
/** `GET /api/tasks/{task_id}` of an unknown task (or another tenant's), or a malformed id: the task is `null`. */
const TaskNotFound = z.object({ data: z.null(), message: z.string(), status: z.literal(-1) });

const header = (name: string, description: string, schema: Json = { type: "string" }) => ({
  name,
  in: "header",
  required: false,
  description,
  schema,
});
const COMMON_HEADERS = [
  header("Authorization", "`Bearer <API key>` (or send the key in `X-API-Key`)."),
  header("X-API-Key", "The API key, when `Authorization` is not used."),
  header("Accept-Language", "`zh-CN` gives Chinese `message` texts; anything else English."),
  header("X-Request-Id", "Echoed in the response; generated when absent."),
];
const IDEMPOTENCY = header(
  "Idempotency-Key",
  "1–255 printable ASCII characters. Same key + same body (per API key, method and path) → the same answer and no second task; same key + another body → 422; a synchronous request with the key still running → 409 with Retry-After. Kept 24 h.",
  { type: "string", minLength: 1, maxLength: 255 },
);
const pathParam = (name: string, description: string) => ({
  name,
  in: "path",
  required: true,
  description,
  schema: { type: "string" },
});

/** What one endpoint says of an error status beyond the generic text: its own description and example. */
type ErrorNotes = Record<number, { description: string; example: unknown }>;

/**
 * Error answers by code; `special` gives some codes another envelope (a component name);
 * `notes` an endpoint's own description and example of a code.
 */
function errors(
  style: "post" | "get",
  codes: number[],
  special: Record<number, string> = {},
  notes: ErrorNotes = {},
) {
  const base = style === "post" ? "PostFailure" : "GetFailure";
  const example = style === "post" ? RESPONSE_EXAMPLES.postFailure : RESPONSE_EXAMPLES.getFailure;
  const text: Record<number, string> = {
    400: "Bad input (the message names each bad field) or malformed JSON",
    401: "Missing, unknown or revoked API key",
    403: "The key lacks the scope",
    404: "Not found",
    405: "Method not allowed on this path",
    409: "A request with this Idempotency-Key is still running (Retry-After: 1)",
    413: "Body larger than 64 KiB",
    415: "Content-Type is not application/json",
    422: "Idempotency-Key reused with another body, or the platform could not carry out a synchronous request",
    429: "Over the key's rate limit (Retry-After)",
    500: "Internal error",
    503: "Database unreachable (Retry-After)",
  };
  return Object.fromEntries(
    codes.map((code) => [
      String(code),
      {
        description:
          notes[code]?.description ??
          (special[code] === "SyncFailure" ? (SYNC_TEXT[code] ?? text[code]) : text[code]),
        content: {
          "application/json": {
            schema: { $ref: `#/components/schemas/${special[code] ?? base}` },
            ...(notes[code] ? { example: notes[code].example } : special[code] ? {} : { example }),
          },
        },
      },
    ]),
  );
}

const SYNC_TEXT: Record<number, string> = {
  404: "Something the request names does not exist: known at request time (`data` is `{}`), or found missing on the platform by the task (an unknown user, a desktop gone; `data.task_id` names it)",
  422: "The task ran and failed on the platform (the message says why); `data.task_id` names it. An Idempotency-Key reused with another body is a 422 too (then `data` is `{}`)",
};
/** Synchronous endpoints: a failed task answers 422 (404 when its object is missing) with its id. */
const SYNC = { 404: "SyncFailure", 422: "SyncFailure" };

const POST_ERRORS = [400, 401, 403, 405, 409, 413, 415, 422, 429, 500, 503];
const GET_ERRORS = [400, 401, 403, 404, 405, 429, 500, 503];

function ok(description: string, schema: z.ZodType, example: unknown, extra: Json = {}) {
  return {
    description,
    headers: { "X-Request-Id": { schema: { type: "string" } } },
    content: { "application/json": { schema: schemaOf(schema, "output"), example } },
    ...extra,
  };
}

function post(opts: {
  operationId: string;
  summary: string;
  description: string;
  tag: string;
  schema: z.ZodType;
  path: keyof typeof REQUEST_EXAMPLES;
  responses: Json;
  extraErrors?: number[];
  sync?: boolean;
  errorNotes?: ErrorNotes;
}) {
  return {
    operationId: opts.operationId,
    summary: opts.summary,
    description: opts.description,
    tags: [opts.tag],
    parameters: [...COMMON_HEADERS, IDEMPOTENCY],
    requestBody: {
      required: true,
      content: {
        "application/json": { schema: schemaOf(opts.schema, "input"), example: REQUEST_EXAMPLES[opts.path] },
      },
    },
    responses: {
      ...opts.responses,
      ...errors(
        "post",
        [...POST_ERRORS, ...(opts.extraErrors ?? [])].sort(),
        opts.sync ? SYNC : {},
        opts.errorNotes,
      ),
    },
  };
}

/**
 * The callbacks deskgate posts to `callback_url`, by task kind: the success envelope, or
 * the failure one (`status` "-1", `data.task_id`, the reason in `message`).
 */
const CALLBACKS = [
  {
    kind: "desktop.apply",
    operationId: "applyDesktop",
    tag: "desktop",
    summary: "The outcome of POST /api/desktop/apply",
    description:
      'The new user\'s password ("" when a desktop was added to an existing user) is in this callback only.',
    success: ApplyCallback,
  },
  {
    kind: "desktop.resource_update",
    operationId: "updateDesktopResources",
    tag: "desktop",
    summary: "The outcome of POST /api/desktop/resource-update",
    description: "What the desktop has now (sizes in bytes).",
    success: ResourceUpdateCallback,
  },
  {
    kind: "desktop.policy_update",
    operationId: "updateDesktopPolicy",
    tag: "desktop",
    summary: "The outcome of POST /api/desktop/policy-update with callback_url",
    description: "The desktop's policy now.",
    success: PolicyUpdateCallback,
  },
  {
    kind: "desktop.delete",
    operationId: "deleteDesktop",
    tag: "desktop",
    summary: "The outcome of POST /api/desktop/delete",
    description:
      "What was deleted: the desktop (already_gone when the platform no longer had it), its data disks, and whether its user went too.",
    success: DesktopDeleteCallback,
  },
  {
    kind: "user.lock",
    operationId: "lockUser",
    tag: "user",
    summary: "The outcome of POST /api/user/lock with callback_url",
    description: "The user's lock state now.",
    success: UserLockResponse,
  },
  {
    kind: "user.unlock",
    operationId: "unlockUser",
    tag: "user",
    summary: "The outcome of POST /api/user/unlock with callback_url",
    description: "The user's lock state now.",
    success: UserLockResponse,
  },
  {
    kind: "desktop.power",
    operationId: "powerDesktop",
    tag: "desktop",
    summary: "The outcome of POST /api/desktop/power",
    description: "The desktop's power state after the action (on / off).",
    success: DesktopPowerCallback,
  },
  {
    kind: "desktop.rebuild",
    operationId: "rebuildDesktop",
    tag: "desktop",
    summary: "The outcome of POST /api/desktop/rebuild",
    description: "The os the desktop runs now and the data disks it kept.",
    success: DesktopRebuildCallback,
  },
  {
    kind: "desktop.lease",
    operationId: "setDesktopLease",
    tag: "desktop",
    summary: "The outcome of POST /api/desktop/lease",
    description:
      "The lease's new end, the one before, and whether the user the old lease's expiry had locked was unlocked.",
    success: DesktopLeaseCallback,
  },
  {
    kind: "lease.expiring",
    operationId: "leaseExpiring",
    tag: "desktop",
    summary: "A lease ends soon (DESKGATE_LEASE_NOTICE_DAYS before expires_at)",
    description:
      "Posted to the callback_url of the request that set the lease (the apply, or the last POST /api/desktop/lease), signed like every callback. `event` is lease.expiring; lock_at and delete_at say what happens unless the lease is extended. `skipped: true`: the lease changed before the notice went out.",
    success: LeaseEventCallback,
  },
  {
    kind: "lease.expire",
    operationId: "leaseExpired",
    tag: "desktop",
    summary: "A lease ended: its user is locked",
    description:
      "`event` lease.expire. The user is locked (user_locked) unless they have another desktop still in use; the desktop is deleted at delete_at (DESKGATE_LEASE_GRACE_DAYS after the end) unless the lease is extended first.",
    success: LeaseEventCallback,
  },
  {
    kind: "lease.delete",
    operationId: "leaseDeleted",
    tag: "desktop",
    summary: "A lease's grace period ended: the desktop is deleted",
    description:
      "`event` lease.delete: the desktop and its data disks were deleted, and its user too when it was their last desktop (user_deleted).",
    success: LeaseEventCallback,
  },
  {
    kind: "user.offboard",
    operationId: "offboardUser",
    tag: "user",
    summary: "The outcome of POST /api/user/offboard",
    description: "What was removed, per resource: desktops, data disks, VNC sessions, the user.",
    success: UserOffboardCallback,
  },
];

/**
 * The OpenAPI 3.1 document, generated from the same zod schemas that validate requests
 * (JSON Schema 2020-12, which OpenAPI 3.1 uses as is).
 */
export function buildOpenApiDocument(): Json {
  const accepted = (description: string) => ok(description, ApplyAck, RESPONSE_EXAMPLES.accepted);
  const pending = (schema: z.ZodType) =>
    ok(
      "Not done within the bound (DESKGATE_SYNC_TIMEOUT_MS): the task goes on; `data.task_id` names it",
      schema,
      RESPONSE_EXAMPLES.accepted,
    );
  return {
    openapi: "3.1.0",
    info: {
      title: "deskgate",
      version: "0.1.0",
      description:
        'Provisioning gateway for cloud desktops and HPC VNC sessions. Envelopes: `status` is a string ("0"/"-1") on POST/PUT/DELETE and a number (0/-1) on GET; `message` is "" on success. Callbacks are signed with Standard Webhooks.',
    },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }, { apiKey: [] }],
    tags: [
      { name: "desktop", description: "Open, change and inspect cloud desktops (Huawei Workspace)." },
      { name: "user", description: "Desktop users: their desktops and passwords." },
      {
        name: "tasks",
        description:
          "Every change is a task: its state, recorded upstream steps, result and callback deliveries.",
      },
      { name: "hpc", description: "VNC sessions on the HPC cluster (SCNet)." },
    ],
    paths: {
      "/api/desktop/apply": {
        post: post({
          operationId: "applyDesktop",
          summary: "Open a desktop (async)",
          description:
            "`username` is a group (a new user `<group>_NN` is made) or an existing user (a desktop is added). The callback brings username, password, desktop_uuid, desktop_name, new_user.",
          tag: "desktop",
          schema: ApplyRequest,
          path: "/api/desktop/apply",
          responses: { "200": accepted("Accepted; the outcome is posted to callback_url") },
          errorNotes: {
            400: {
              description:
                "Bad input (the message names each bad field), malformed JSON, a callback_url the policy refuses, or an os with no image on the platform (the message lists the available ones)",
              example: RESPONSE_EXAMPLES.postFailure,
            },
            409: {
              description:
                "The platform's quota cannot hold the desktop (checked at request time against the quota the platform reports, read at most ~5 s ago, plus the applies deskgate accepted that it does not show yet; the message names the quota). Nothing is written. Or: a request with this Idempotency-Key is still running (Retry-After: 1)",
              example: RESPONSE_EXAMPLES.quotaExceeded,
            },
          },
        }),
      },
      "/api/desktop/resource-update": {
        post: post({
          operationId: "updateDesktopResources",
          summary: "Change CPU, memory, data disk (async)",
          description:
            "Targets, not deltas. Several data disks without volume_uuid → 400 listing them; a disk target below the current size → 400; beyond 32760 GB → 400; cpu/memory that no product of the desktop's resize list has → 400 listing the combinations it has (an omitted one keeps its current value).",
          tag: "desktop",
          schema: ResourceUpdateRequest,
          path: "/api/desktop/resource-update",
          responses: { "200": accepted("Accepted; the outcome is posted to callback_url") },
          extraErrors: [404],
          errorNotes: {
            400: {
              description:
                "Bad input; several data disks without volume_uuid (listing them); a disk target below the current size or beyond the limit; or cpu/memory no product has (listing the available combinations). Nothing is written",
              example: RESPONSE_EXAMPLES.noSuchProduct,
            },
          },
        }),
      },
      "/api/desktop/policy-update": {
        post: post({
          operationId: "updateDesktopPolicy",
          summary: "USB / data-access policy (sync; async with callback_url)",
          description:
            "Answers once the platform applied the change; with callback_url answers at once with data.task_id.",
          tag: "desktop",
          schema: PolicyUpdateRequest,
          path: "/api/desktop/policy-update",
          sync: true,
          responses: {
            "200": ok(
              "Applied (or accepted, with callback_url)",
              PolicyUpdateResponse,
              RESPONSE_EXAMPLES.policy,
            ),
            "202": pending(PolicyUpdateResponse),
          },
          extraErrors: [404],
        }),
      },
      "/api/user/pwd-reset": {
        post: post({
          operationId: "resetPassword",
          summary: "Reset a password (sync)",
          description:
            '`password: ""` uses the configured default (or, on a platform that cannot set one, a generated password). The user is looked up on the platform by name: a user it does not have → 404 with `data.task_id`.',
          tag: "user",
          schema: PwdResetRequest,
          path: "/api/user/pwd-reset",
          sync: true,
          responses: {
            "200": ok("Reset", PwdResetResponse, RESPONSE_EXAMPLES.pwdReset),
            "202": pending(PwdResetResponse),
          },
          extraErrors: [404],
          errorNotes: {
            404: { description: SYNC_TEXT[404]!, example: RESPONSE_EXAMPLES.syncNotFound },
          },
        }),
      },
      "/api/desktop/delete": {
        post: post({
          operationId: "deleteDesktop",
          summary: "Delete a desktop and its data disks (async)",
          description:
            "With delete_user_if_last, its user too when the user has no other desktop. A desktop deskgate does not know → 404, unless an earlier delete of it was accepted: deleting what is already gone succeeds (already_gone in the callback).",
          tag: "desktop",
          schema: DesktopDeleteRequest,
          path: "/api/desktop/delete",
          responses: { "200": accepted("Accepted; the outcome is posted to callback_url") },
          extraErrors: [404],
        }),
      },
      "/api/desktop/lease": {
        post: post({
          operationId: "setDesktopLease",
          summary: "Set a new end for a desktop's lease: extend it (async)",
          description:
            "expires_at with its time zone, in the future, at most 1826 days ahead. Allowed until the lease's delete has begun (then 409); in the grace period after expiry it also unlocks the user the expiry locked. The lease's later notices (lease.expiring, lease.expire, lease.delete) go to this request's callback_url. A desktop deskgate does not know → 404.",
          tag: "desktop",
          schema: DesktopLeaseRequest,
          path: "/api/desktop/lease",
          responses: { "200": accepted("Accepted; the outcome is posted to callback_url") },
          extraErrors: [404],
        }),
      },
      "/api/user/lock": {
        post: post({
          operationId: "lockUser",
          summary: "Lock a user out of every desktop (sync; async with callback_url)",
          description:
            "Answers once the platform locked the user; with callback_url answers at once with data.task_id. A user deskgate does not know → 404.",
          tag: "user",
          schema: UserLockRequest,
          path: "/api/user/lock",
          sync: true,
          responses: {
            "200": ok("Done (or accepted, with callback_url)", UserLockResponse, RESPONSE_EXAMPLES.locked),
            "202": pending(UserLockResponse),
          },
          extraErrors: [404],
        }),
      },
      "/api/user/unlock": {
        post: post({
          operationId: "unlockUser",
          summary: "Let a locked user sign in again (sync; async with callback_url)",
          description:
            "Answers once the platform unlocked the user; with callback_url answers at once with data.task_id. A user deskgate does not know → 404.",
          tag: "user",
          schema: UserLockRequest,
          path: "/api/user/unlock",
          sync: true,
          responses: {
            "200": ok("Done (or accepted, with callback_url)", UserLockResponse, RESPONSE_EXAMPLES.locked),
            "202": pending(UserLockResponse),
          },
          extraErrors: [404],
        }),
      },
      "/api/desktop/power": {
        post: post({
          operationId: "powerDesktop",
          summary: "Start, stop or reboot a desktop (async)",
          description:
            "`type` soft (the default) asks the guest OS, hard forces it. Starting a desktop that is on, or stopping one that is off, succeeds at once. A desktop deskgate does not know → 404.",
          tag: "desktop",
          schema: DesktopPowerRequest,
          path: "/api/desktop/power",
          responses: { "200": accepted("Accepted; the outcome is posted to callback_url") },
          extraErrors: [404],
        }),
      },
      "/api/desktop/rebuild": {
        post: post({
          operationId: "rebuildDesktop",
          summary: "Reimage the system disk (async)",
          description:
            "Data disks are kept, and so are the uuid, name, user and flavour; `os` switches to another os's image (within the same family: Windows ↔ Linux is refused by the platform). An os without an image → 400; a desktop deskgate does not know → 404.",
          tag: "desktop",
          schema: DesktopRebuildRequest,
          path: "/api/desktop/rebuild",
          responses: { "200": accepted("Accepted; the outcome is posted to callback_url") },
          extraErrors: [404],
        }),
      },
      "/api/user/offboard": {
        post: post({
          operationId: "offboardUser",
          summary: "Offboard a user (async)",
          description:
            "One resumable task: lock the user, delete every desktop of theirs with its data disks, close their HPC VNC sessions known to deskgate, delete the user. The callback lists what was removed, per resource. A user deskgate does not know → 404, unless an earlier offboarding of that name was accepted (the repeat succeeds with nothing left to remove).",
          tag: "user",
          schema: UserOffboardRequest,
          path: "/api/user/offboard",
          responses: { "200": accepted("Accepted; the outcome is posted to callback_url") },
          extraErrors: [404],
        }),
      },
      "/api/user/{username}/desktops": {
        get: {
          operationId: "listUserDesktops",
          summary: "A user's desktops",
          tags: ["user"],
          parameters: [pathParam("username", "The platform user name"), ...COMMON_HEADERS],
          responses: {
            "200": ok("The desktops", UserDesktopsResponse, RESPONSE_EXAMPLES.desktops),
            ...errors("get", GET_ERRORS),
          },
        },
      },
      "/api/desktop/{uuid}/volumes": {
        get: {
          operationId: "listDesktopVolumes",
          summary: "A desktop's data disks (sizes in bytes)",
          tags: ["desktop"],
          parameters: [pathParam("uuid", "The desktop's uuid"), ...COMMON_HEADERS],
          responses: {
            "200": ok("The data disks", DesktopVolumesResponse, RESPONSE_EXAMPLES.volumes),
            ...errors("get", GET_ERRORS),
          },
        },
      },
      "/api/tasks/{task_id}": {
        get: {
          operationId: "getTask",
          summary: "A task: state, steps, result (no secrets), callback deliveries",
          tags: ["tasks"],
          parameters: [
            pathParam("task_id", "The task id (data.task_id of an answer or callback)"),
            ...COMMON_HEADERS,
          ],
          responses: {
            "200": ok("The task", TaskResponse, undefined),
            ...errors("get", GET_ERRORS, { 400: "TaskNotFound", 404: "TaskNotFound" }),
          },
        },
      },
      "/api/hpc/{account}/vnc": {
        put: {
          operationId: "openVncSession",
          summary: "Open the account's VNC session, or return the existing one (sync)",
          tags: ["hpc"],
          parameters: [pathParam("account", "The HPC account name"), ...COMMON_HEADERS, IDEMPOTENCY],
          responses: {
            "200": ok("The session and its launch URL", VncOpenResponse, undefined),
            "202": pending(VncOpenResponse),
            ...errors("post", [...POST_ERRORS, 404].sort(), SYNC),
          },
        },
        get: {
          operationId: "listVncSessions",
          summary: "The account's VNC sessions (sync)",
          tags: ["hpc"],
          parameters: [pathParam("account", "The HPC account name"), ...COMMON_HEADERS],
          responses: {
            "200": ok("The sessions", VncListResponse, undefined),
            "202": ok(
              "Not done within the bound: `data` is [] and the X-Task-Id header names the task",
              VncListResponse,
              undefined,
            ),
            ...errors("get", GET_ERRORS),
          },
        },
      },
      "/api/hpc/{account}/vnc/{sessionId}": {
        delete: {
          operationId: "closeVncSession",
          summary: "Close a VNC session (sync)",
          tags: ["hpc"],
          parameters: [
            pathParam("account", "The HPC account name"),
            pathParam("sessionId", "The session id"),
            ...COMMON_HEADERS,
            IDEMPOTENCY,
          ],
          responses: {
            "200": ok("Closed (or already gone)", VncCloseResponse, undefined),
            "202": pending(VncCloseResponse),
            ...errors("post", [...POST_ERRORS, 404].sort(), SYNC),
          },
        },
      },
    },
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "`Authorization: Bearer dg_…`" },
        apiKey: { type: "apiKey", in: "header", name: "X-API-Key" },
      },
      schemas: {
        PostFailure: schemaOf(PostFailure, "output"),
        GetFailure: schemaOf(GetFailure, "output"),
        SyncFailure: schemaOf(SyncFailure, "output"),
        TaskNotFound: schemaOf(TaskNotFound, "output"),
        FailureCallback: schemaOf(FailureCallback, "output"),
      },
    },
    webhooks: Object.fromEntries(
      CALLBACKS.map((cb) => [
        cb.kind,
        {
          post: {
            operationId: `${cb.operationId}Callback`,
            summary: cb.summary,
            description: `${cb.description} Signed with Standard Webhooks (\`webhook-id\`, \`webhook-timestamp\`, \`webhook-signature\`) with the API key's secret; the same \`webhook-id\` on every attempt. \`x-request-id\` is the X-Request-Id of the request that made the task. Answer 2xx to acknowledge; 410 stops the retries.`,
            tags: [cb.tag],
            requestBody: {
              required: true,
              content: {
                "application/json": {
                  schema: {
                    oneOf: [schemaOf(cb.success, "output"), { $ref: "#/components/schemas/FailureCallback" }],
                  },
                },
              },
            },
            responses: { "200": { description: "Acknowledged (any 2xx)" } },
          },
        },
      ]),
    ),
  };
}
