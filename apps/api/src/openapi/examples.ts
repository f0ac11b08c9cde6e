/**
 * Example bodies, following the seed document's parameter tables and response examples
 * (seeds/000). The OpenAPI document shows them; the contract test drives the real routes with
 * them (after seeding the desktop, volume and user they name).
 */
export const EXAMPLE_DESKTOP_UUID = "5f0e9b8a-2c1d-4e3f-9a7b-6c5d4e3f2a1b";
export const EXAMPLE_VOLUME_UUID = "a1b2c3d4-e5f6-4a1b-8c2d-3e4f5a6b7c8d";
export const EXAMPLE_USER = "xxx_01";
export const EXAMPLE_TASK_ID = "3b241101-e2bb-4255-8caf-4136c566a962";
export const EXAMPLE_CALLBACK_URL = "https://workflow.example.com/deskgate/callback";
/** A lease end ~90 days ahead, at 18:00 UTC (an example must pass the schema: in the future). */
export const EXAMPLE_LEASE_END = `${new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10)}T18:00:00Z`;

export const REQUEST_EXAMPLES = {
  "/api/desktop/apply": { username: "xxx", os: "win10", callback_url: EXAMPLE_CALLBACK_URL },
  "/api/desktop/resource-update": {
    desktop_uuid: EXAMPLE_DESKTOP_UUID,
    cpu: 4,
    memory: 8589934592,
    disk: 107374182400,
    callback_url: EXAMPLE_CALLBACK_URL,
  },
  "/api/desktop/policy-update": {
    desktop_uuid: EXAMPLE_DESKTOP_UUID,
    "usb-enable": true,
    "data-access": false,
  },
  "/api/user/pwd-reset": { username: EXAMPLE_USER, password: "" },
  "/api/desktop/delete": {
    desktop_uuid: EXAMPLE_DESKTOP_UUID,
    delete_user_if_last: true,
    callback_url: EXAMPLE_CALLBACK_URL,
  },
  "/api/desktop/lease": {
    desktop_uuid: EXAMPLE_DESKTOP_UUID,
    expires_at: EXAMPLE_LEASE_END,
    callback_url: EXAMPLE_CALLBACK_URL,
  },
  "/api/user/lock": { username: EXAMPLE_USER },
  "/api/user/unlock": { username: EXAMPLE_USER },
  "/api/desktop/power": {
    desktop_uuid: EXAMPLE_DESKTOP_UUID,
    action: "reboot",
    type: "soft",
    callback_url: EXAMPLE_CALLBACK_URL,
  },
  "/api/desktop/rebuild": {
    desktop_uuid: EXAMPLE_DESKTOP_UUID,
    os: "win10",
    callback_url: EXAMPLE_CALLBACK_URL,
  },
  "/api/user/offboard": { username: EXAMPLE_USER, callback_url: EXAMPLE_CALLBACK_URL },
} as const;

export const RESPONSE_EXAMPLES = {
  accepted: { data: { task_id: EXAMPLE_TASK_ID }, message: "", status: "0" },
  policy: {
    data: {
      task_id: EXAMPLE_TASK_ID,
      desktop_uuid: EXAMPLE_DESKTOP_UUID,
      "usb-enable": true,
      "data-access": false,
      note: "takes effect at the next connection",
    },
    message: "",
    status: "0",
  },
  pwdReset: {
    data: { task_id: EXAMPLE_TASK_ID, username: EXAMPLE_USER, password: "Xk7#pL9@qR2!mN4v" },
    message: "",
    status: "0",
  },
  locked: {
    data: {
      task_id: EXAMPLE_TASK_ID,
      username: EXAMPLE_USER,
      locked: true,
      note: "the user can no longer sign in to any desktop",
    },
    message: "",
    status: "0",
  },
  desktops: {
    data: [{ desktop_uuid: EXAMPLE_DESKTOP_UUID, desktop_name: "xxx01-a1b2c3d4" }],
    status: 0,
    message: "",
  },
  volumes: {
    data: [
      {
        volume_uuid: EXAMPLE_VOLUME_UUID,
        volume_name: "data-1",
        volume_size: 53687091200,
        volume_status: "in-use",
      },
    ],
    status: 0,
    message: "",
  },
  postFailure: { data: {}, message: "xxx", status: "-1" },
  /** Issue 13.4: the platform's quota cannot hold the desktop (decided at request time). */
  quotaExceeded: {
    data: {},
    message:
      "the platform's quota cannot hold this desktop: desktops quota 100, used 98, 2 more taken by 2 accepted apply(s) it does not show yet; a win10 desktop needs 1",
    status: "-1",
  },
  /** SPEC 2.2 / 4: cpu/memory no product of the desktop's resize list has. */
  noSuchProduct: {
    data: {},
    message: `cpu/memory: no product has 3 vCPU and 4294967296 bytes of memory for desktop ${EXAMPLE_DESKTOP_UUID} (now 2 vCPU / 4294967296 bytes); available: 2 vCPU / 8589934592 bytes (8 GiB), 4 vCPU / 8589934592 bytes (8 GiB), 4 vCPU / 17179869184 bytes (16 GiB)`,
    status: "-1",
  },
  /** A synchronous task that found the user it names missing on the platform. */
  syncNotFound: {
    data: { task_id: EXAMPLE_TASK_ID },
    message: "user xxx_09 does not exist on the platform",
    status: "-1",
  },
  getFailure: { data: [], status: -1, message: "xxx" },
} as const;
