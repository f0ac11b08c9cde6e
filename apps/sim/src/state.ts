import { hex32 } from "./random.ts";

/** Everything the simulator remembers; `createState()` gives the seeded, otherwise empty state. */
export interface SimState {
  users: Map<string, UserRecord>;
  desktops: Map<string, DesktopRecord>;
  jobs: Map<string, JobRecord>;
  policyGroups: Map<string, PolicyGroupRecord>;
  vncSessions: Map<string, VncSession>;
  tokens: Map<string, TokenRecord>;
  tokensIssued: number;
  quotas: Quotas;
  /** Monotonic counters behind desktop IPs and VNC display numbers. */
  counters: { ip: number; vnc: number };
}

export type ActiveType = "USER_ACTIVATE" | "ADMIN_ACTIVATE";

export interface UserRecord {
  id: string;
  sid: string;
  user_name: string;
  user_email: string;
  user_phone: string;
  active_type: ActiveType;
  /** Current password ("" until one is set); kept in clear text for tests (`GET /_sim/state`). */
  password: string;
  /** Earlier passwords, newest first (for WKS.00170102). */
  password_history: string[];
  locked: boolean;
  disabled: boolean;
  account_expires: string;
  enable_change_password: boolean;
  next_login_change_password: boolean;
  description: string;
  alias_name: string;
  group_ids: string[];
  created: Date;
}

export interface VolumeRecord {
  id: string;
  volume_id: string;
  type: string;
  size: number;
  device: string;
  display_name: string;
  create_time: Date;
}

export interface DesktopRecord {
  desktop_id: string;
  sid: string;
  computer_name: string;
  user_id: string;
  user_name: string;
  user_group: string;
  desktop_type: string;
  product_id: string;
  image_type: string;
  image_id: string;
  os_type: string;
  status: string;
  task_status: string;
  attach_state: string;
  ip_address: string;
  root_volume: VolumeRecord;
  data_volumes: VolumeRecord[];
  created: Date;
  /** Key/value tags (CreateTag, BatchChangeTags), in insertion order; at most 10. */
  tags: TagRecord[];
  /** The job that currently holds the desktop, if any. */
  busy: { job_id: string; job_type: string } | null;
}

export interface TagRecord {
  key: string;
  value: string;
}

export type JobStatus = "WAITING" | "RUNNING" | "SUCCESS" | "FAIL";
export type SubJobStatus = "WAITING" | "RUNNING" | "SUCCESS" | "FAILED";

export interface SubJobRecord {
  id: string;
  job_id: string;
  job_type: string;
  status: SubJobStatus;
  process: number;
  error_code: string;
  fail_reason: string;
  entities: { desktop_id: string; product_id: string; user_name: string };
  desktop_name: string;
  ip_address: string;
  begin_time: Date;
  end_time: Date | null;
}

export interface JobRecord {
  id: string;
  job_type: string;
  status: JobStatus;
  job_error_code: string;
  fail_reason: string;
  begin_time: Date;
  end_time: Date | null;
  sub_jobs: SubJobRecord[];
}

export interface Target {
  target_id: string;
  target_name: string;
  target_type: string;
}

export interface PolicyGroupRecord {
  policy_group_id: string;
  policy_group_name: string;
  priority: number;
  description: string;
  policies: Record<string, unknown>;
  targets: Target[];
  update_time: Date;
}

export interface VncSession {
  id: string;
  createDate: string;
  hostname: string;
  jobs: string;
  length: string;
  width: string;
  name: string;
  sid: string;
  user: string;
  ip: string;
  sessionId: string;
}

export interface TokenRecord {
  token: string;
  user: string;
  orgId: string;
  /** "0" is the platform-level ("ac") token: it works for the AC APIs, not for a cluster's. */
  clusterId: string;
  expiresAt: number;
}

export interface Quotas {
  general_instances: number;
  cores: number;
  Memory: number;
  volumes: number;
  volume_gigabytes: number;
  users: number;
  policy_groups: number;
}

export const DEFAULT_QUOTAS: Quotas = {
  general_instances: 100,
  cores: 400,
  Memory: 800,
  volumes: 500,
  volume_gigabytes: 50_000,
  users: 3000,
  policy_groups: 10,
};

export const ALL_TARGET: Target = {
  target_id: "default-apply-all-targets",
  target_name: "All-Targets",
  target_type: "ALL",
};

/** USB, file redirection and clipboard all off: new desktops start with everything disabled. */
export function allOffPolicies(): Record<string, unknown> {
  return {
    peripherals: {
      usb_port_redirection: {
        usb_enable: false,
        options: {
          usb_image_enable: false,
          usb_video_enable: false,
          usb_printer_enable: false,
          usb_storage_enable: false,
          usb_smart_card_enable: false,
          wireless_devices_enable: false,
          network_devices_enable: false,
          other_usb_devices_enable: false,
          usb_redirection_mode: "Classical mode",
        },
      },
    },
    file_and_clipboard: {
      file_redirection: { redirection_mode: "DISABLED", vm_send_file_client: false },
      clipboard_redirection: "DISABLED",
    },
  };
}

export const DEFAULT_POLICY_GROUP_NAME = "sim-default-all-off";

export function createState(): SimState {
  const group: PolicyGroupRecord = {
    policy_group_id: hex32(),
    policy_group_name: DEFAULT_POLICY_GROUP_NAME,
    priority: 55,
    description: "Seeded default: USB, file redirection and clipboard disabled for all targets.",
    policies: allOffPolicies(),
    targets: [{ ...ALL_TARGET }],
    update_time: new Date(),
  };
  return {
    users: new Map(),
    desktops: new Map(),
    jobs: new Map(),
    policyGroups: new Map([[group.policy_group_id, group]]),
    vncSessions: new Map(),
    tokens: new Map(),
    tokensIssued: 0,
    quotas: { ...DEFAULT_QUOTAS },
    counters: { ip: 0, vnc: 0 },
  };
}
