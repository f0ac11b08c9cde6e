/** The Workspace v2 response shapes the adapter reads (UPSTREAM-VDI.md §2-§4); all else is ignored. */
export interface WsUser {
  id: string;
  user_name: string;
  locked?: boolean;
}

export interface WsTag {
  key: string;
  value?: string;
}

export interface WsVolume {
  id?: string;
  /** The id to use for expand and delete (§2.3). */
  volume_id: string;
  size: number;
  type?: string;
  display_name?: string;
  device?: string;
}

/** SimpleDesktopInfo (list) and DesktopDetailInfo (get) share these fields. */
export interface WsDesktop {
  desktop_id: string;
  computer_name: string;
  user_name?: string;
  sid?: string;
  status?: string;
  task_status?: string;
  product_id?: string;
  attach_user_infos?: { user_name?: string }[];
  /** Detail only: cpu is a count, memory MB, both strings. */
  product?: { product_id?: string; cpu?: string; memory?: string };
  /** Detail only. */
  data_volumes?: WsVolume[];
  /** Detail only: `metering.image_id`, `metering.imagetype`, `os_type`, … */
  metadata?: Record<string, string>;
  tags?: WsTag[];
}

export interface WsProduct {
  product_id: string;
  cpu: string;
  memory: string;
  architecture?: string;
  package_type?: string;
  status?: string;
}

export interface WsSubJob {
  /** The parent job (ListItaSubJobs). */
  job_id?: string;
  /** `2020-04-10 06:45:14`, UTC. */
  begin_time?: string;
  status?: string;
  error_code?: string;
  fail_reason?: string;
  entities?: { desktop_id?: string };
}

export interface WsJob {
  id: string;
  status: string;
  job_error_code?: string;
  fail_reason?: string;
  sub_jobs?: WsSubJob[];
}

export interface WsTarget {
  target_id: string;
  target_name?: string;
  target_type: string;
}

export interface WsPolicyGroup {
  policy_group_id: string;
  policy_group_name: string;
}
