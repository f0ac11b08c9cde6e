import { findProduct } from "../catalog.ts";
import type {
  DesktopRecord,
  JobRecord,
  PolicyGroupRecord,
  SubJobRecord,
  UserRecord,
  VolumeRecord,
} from "../state.ts";
import { isoTime, plainTime } from "../time.ts";

/** Response shapes of the Workspace v2 API, built from the simulator's records. */

export function userView(user: UserRecord, totalDesktops: number) {
  return {
    id: user.id,
    sid: user.sid,
    user_name: user.user_name,
    user_email: user.user_email,
    user_phone: user.user_phone,
    active_type: user.active_type,
    total_desktops: totalDesktops,
    locked: user.locked,
    disabled: user.disabled,
    account_expires: user.account_expires,
    account_expired: false,
    password_never_expired: true,
    enable_change_password: user.enable_change_password,
    next_login_change_password: user.next_login_change_password,
    group_names: [],
    description: user.description,
    alias_name: user.alias_name,
    is_pre_user: false,
  };
}

export function volumeView(volume: VolumeRecord) {
  return {
    id: volume.id,
    volume_id: volume.volume_id,
    type: volume.type,
    size: volume.size,
    device: volume.device,
    display_name: volume.display_name,
    create_time: isoTime(volume.create_time),
  };
}

function attachUsers(d: DesktopRecord) {
  return [{ user_id: d.user_id, user_name: d.user_name, user_group: d.user_group, type: "USER" }];
}

/** SimpleDesktopInfo, as `GET /desktops` lists it. */
export function simpleDesktop(d: DesktopRecord) {
  return {
    desktop_id: d.desktop_id,
    computer_name: d.computer_name,
    user_name: d.user_name,
    attach_user_infos: attachUsers(d),
    sid: d.sid,
    status: d.status,
    task_status: d.task_status,
    ip_address: d.ip_address,
    created: plainTime(d.created),
    user_group: d.user_group,
    desktop_type: d.desktop_type,
    product_id: d.product_id,
    availability_zone: "sim-az1",
    in_maintenance_mode: false,
    enterprise_project_id: "0",
    tags: d.tags.map((t) => ({ key: t.key, value: t.value })),
  };
}

/** DesktopDetailInfo, as `GET /desktops/{id}` returns it under `desktop`. */
export function desktopDetail(d: DesktopRecord) {
  const product = findProduct(d.product_id);
  const gb = product ? Number(product.memory) / 1024 : 0;
  return {
    ...simpleDesktop(d),
    created: isoTime(d.created),
    attach_state: d.attach_state,
    ip_addresses: d.ip_address ? [d.ip_address] : [],
    product: {
      product_id: d.product_id,
      flavor_id: product ? `sim.c${product.cpu}m${gb}` : "",
      type: "BASE",
      cpu: product?.cpu ?? "",
      memory: product?.memory ?? "",
      descriptions: product ? `CPU:${product.cpu}vCPUs,Memory:${gb}GB` : "",
      charge_mode: "1",
    },
    flavor: { id: product ? `sim.c${product.cpu}m${gb}` : "", links: [] },
    root_volume: volumeView(d.root_volume),
    data_volumes: d.data_volumes.map(volumeView),
    metadata: { os_type: d.os_type, "metering.image_id": d.image_id, "metering.imagetype": d.image_type },
    os_version: d.os_type,
    security_groups: [],
    site_type: "CENTER",
  };
}

export function subJobView(s: SubJobRecord) {
  return {
    id: s.id,
    job_id: s.job_id,
    job_type: s.job_type,
    status: s.status,
    process: s.process,
    entities: { ...s.entities },
    desktop_name: s.desktop_name,
    ip_address: s.ip_address,
    error_code: s.error_code,
    fail_reason: s.fail_reason,
    message: "",
    begin_time: plainTime(s.begin_time),
    end_time: s.end_time ? plainTime(s.end_time) : "",
  };
}

/** ShowJob response. */
export function jobView(j: JobRecord) {
  return {
    id: j.id,
    job_type: j.job_type,
    status: j.status,
    job_error_code: j.job_error_code,
    fail_reason: j.fail_reason,
    begin_time: plainTime(j.begin_time),
    end_time: j.end_time ? plainTime(j.end_time) : "",
    sub_jobs_total: j.sub_jobs.length,
    sub_jobs: j.sub_jobs.map(subJobView),
  };
}

export function policyGroupView(g: PolicyGroupRecord) {
  return {
    policy_group_id: g.policy_group_id,
    policy_group_name: g.policy_group_name,
    priority: g.priority,
    description: g.description,
    update_time: isoTime(g.update_time),
    policies: structuredClone(g.policies),
    targets: g.targets.map((t) => ({ ...t })),
  };
}
