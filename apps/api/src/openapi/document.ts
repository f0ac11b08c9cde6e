import {
  ApplyAck,
  ApplyRequest,
  DesktopVolumesResponse,
  PolicyUpdateRequest,
  PolicyUpdateResponse,
  PwdResetRequest,
  PwdResetResponse,
  ResourceUpdateRequest,
  TaskResponse,
  UserDesktopsResponse,
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

function errors(style: "post" | "get", codes: number[]) {
  const ref = {
    $ref: style === "post" ? "#/components/schemas/PostFailure" : "#/components/schemas/GetFailure",
  };
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
      { description: text[code], content: { "application/json": { schema: ref, example } } },
    ]),
  );
}

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
  summary: string;
  description: string;
  tag: string;
  schema: z.ZodType;
  path: keyof typeof REQUEST_EXAMPLES;
  responses: Json;
  extraErrors?: number[];
}) {
  return {
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
    responses: { ...opts.responses, ...errors("post", [...POST_ERRORS, ...(opts.extraErrors ?? [])].sort()) },
  };
}

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
    tags: [{ name: "desktop" }, { name: "user" }, { name: "tasks" }, { name: "hpc" }],
    paths: {
      "/api/desktop/apply": {
        post: post({
          summary: "Open a desktop (async)",
          description:
            "`username` is a group (a new user `<group>_NN` is made) or an existing user (a desktop is added). The callback brings username, password, desktop_uuid, desktop_name, new_user.",
          tag: "desktop",
          schema: ApplyRequest,
          path: "/api/desktop/apply",
          responses: { "200": accepted("Accepted; the outcome is posted to callback_url") },
        }),
      },
      "/api/desktop/resource-update": {
        post: post({
          summary: "Change CPU, memory, data disk (async)",
          description:
            "Targets, not deltas. Several data disks without volume_uuid → 400 listing them; a disk target below the current size → 400; beyond 32760 GB → 400.",
          tag: "desktop",
          schema: ResourceUpdateRequest,
          path: "/api/desktop/resource-update",
          responses: { "200": accepted("Accepted; the outcome is posted to callback_url") },
          extraErrors: [404],
        }),
      },
      "/api/desktop/policy-update": {
        post: post({
          summary: "USB / data-access policy (sync; async with callback_url)",
          description:
            "Answers once the platform applied the change; with callback_url answers at once with data.task_id.",
          tag: "desktop",
          schema: PolicyUpdateRequest,
          path: "/api/desktop/policy-update",
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
          summary: "Reset a password (sync)",
          description:
            '`password: ""` uses the configured default (or, on a platform that cannot set one, a generated password).',
          tag: "user",
          schema: PwdResetRequest,
          path: "/api/user/pwd-reset",
          responses: {
            "200": ok("Reset", PwdResetResponse, RESPONSE_EXAMPLES.pwdReset),
            "202": pending(PwdResetResponse),
          },
        }),
      },
      "/api/user/{username}/desktops": {
        get: {
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
          summary: "A task: state, steps, result (no secrets), callback deliveries",
          tags: ["tasks"],
          parameters: [
            pathParam("task_id", "The task id (data.task_id of an answer or callback)"),
            ...COMMON_HEADERS,
          ],
          responses: {
            "200": ok("The task", TaskResponse, undefined),
            ...errors("get", GET_ERRORS),
          },
        },
      },
      "/api/hpc/{account}/vnc": {
        put: {
          summary: "Open the account's VNC session, or return the existing one (sync)",
          tags: ["hpc"],
          parameters: [pathParam("account", "The HPC account name"), ...COMMON_HEADERS, IDEMPOTENCY],
          responses: {
            "200": ok("The session and its launch URL", VncOpenResponse, undefined),
            "202": pending(VncOpenResponse),
            ...errors("post", [...POST_ERRORS, 404].sort()),
          },
        },
        get: {
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
            ...errors("post", [...POST_ERRORS, 404].sort()),
          },
        },
      },
    },
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "`Authorization: Bearer dg_…`" },
        apiKey: { type: "apiKey", in: "header", name: "X-API-Key" },
      },
      schemas: { PostFailure: schemaOf(PostFailure, "output"), GetFailure: schemaOf(GetFailure, "output") },
    },
  };
}
