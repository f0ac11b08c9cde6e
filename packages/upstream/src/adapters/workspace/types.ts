/** The few Workspace v2 response shapes the adapter reads (UPSTREAM-VDI.md §2). */
export interface WsUser {
  id: string;
  user_name: string;
}

export interface WsDesktop {
  desktop_id: string;
  computer_name: string;
  user_name?: string;
  status?: string;
  task_status?: string;
  product_id?: string;
  attach_user_infos?: { user_name?: string }[];
}

export interface WsSubJob {
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
