export type DesktopOs = "win7" | "win10" | "kylin" | "macos";

export interface PlatformUser {
  id: string;
  name: string;
  /** A locked user cannot sign in to any desktop (`lockUser` / `unlockUser`). */
  locked: boolean;
}

export type DesktopState = "creating" | "active" | "error" | "deleting";

/**
 * Whether the desktop's machine runs: "on", "off" (stopped or hibernated: `start` brings it
 * back), or "unknown" while it is being created, deleted, or in error. It changes when a power
 * action's job ends.
 */
export type PowerState = "on" | "off" | "unknown";
export type PowerAction = "start" | "stop" | "reboot";
/** SOFT asks the guest OS; HARD forces it (power cut, hard reset). */
export type PowerMode = "SOFT" | "HARD";

export interface PlatformDesktop {
  id: string;
  name: string;
  userName: string;
  state: DesktopState;
  productId: string | null;
  /** The platform's security id (policy targets use it). */
  sid: string | null;
  cpu: number | null;
  memoryBytes: number | null;
  volumes: PlatformVolume[];
  power: PowerState;
  /** The deskgate os of its current image (by the adapter's os → image table); null if none fits. */
  os: DesktopOs | null;
  /** Its key/value tags (`{}` on a platform without tags). */
  tags: Record<string, string>;
}

export interface PlatformVolume {
  id: string;
  name: string;
  sizeBytes: number;
}

/** A flavour: what cpu / memory combination the platform sells. */
export interface PlatformFlavor {
  id: string;
  cpu: number;
  memoryBytes: number;
}

/**
 * What the platform's quotas count, in deskgate's units (bytes, not GB). Workspace:
 * general_instances, cores, Memory, volumes, volume_gigabytes, users.
 */
export type QuotaResource = "desktops" | "vcpus" | "memoryBytes" | "volumes" | "volumeBytes" | "users";

/** The account's quotas: how much of each resource it may hold and holds now (limit < 0: unlimited). */
export type PlatformQuotas = Partial<Record<QuotaResource, { limit: number; used: number }>>;

/** An amount of each resource (what one new desktop takes). */
export type QuotaAmounts = Partial<Record<QuotaResource, number>>;

export interface PlatformLimits {
  /** Data disks: bytes, granularity and count. */
  diskMinBytes: number;
  diskMaxBytes: number;
  diskStepBytes: number;
  maxDataDisks: number;
}

export interface DesktopPolicy {
  usbEnable: boolean;
  dataAccess: boolean;
}

export type JobStatus =
  | { state: "running" }
  | { state: "succeeded"; desktopId: string | null }
  | { state: "failed"; code: string | null; reason: string };

/**
 * An action started on the platform. `jobId` is a platform job to poll (`getJob`); null means
 * there is no job to wait for: nothing was left to do (the desktops were already gone, the
 * desktop already in that power state), or the platform took the action without a job (then
 * watch the desktop itself, e.g. `getDesktop().power`).
 */
export interface PlatformAction {
  jobId: string | null;
}

/**
 * What deskgate needs from a VDI platform. Adapters hide the vendor's paths, auth, units
 * and job model; the worker talks to platforms only through this port.
 *
 * Every method that creates something has a look-up twin (`findUser`, `findDesktopByName`,
 * `getDesktop().volumes`) so the worker can look before it creates and resume after a crash;
 * every delete treats "already gone" as success. Errors are `UpstreamError`s, classified
 * transient or permanent. Methods returning `{ jobId }` start a platform job: poll `getJob`
 * (a `PlatformAction` may have none: see there).
 */
export interface DesktopPlatform {
  readonly name: string;
  readonly capabilities: {
    /** Whether a chosen password can be set after creation (Workspace: no; simulator: yes). */
    canSetPassword: boolean;
    /** Whether desktops carry key/value tags (`setDesktopTags` …). Without, tag writes fail permanently. */
    tags: boolean;
  };

  // users
  /** Exact, case-sensitive match on the user name. */
  findUser(name: string): Promise<PlatformUser | null>;
  /** Throws UpstreamError reason "exists" when the name is taken. */
  createUser(name: string, password: string): Promise<PlatformUser>;
  deleteUser(id: string): Promise<void>;
  /** Only when `capabilities.canSetPassword`; reason "password_rejected" carries the platform's rule. */
  setPassword(userId: string, password: string): Promise<void>;
  /** A new password chosen by the platform. */
  generatePassword(userId: string): Promise<string>;
  /**
   * Locks the user out of every desktop (synchronous; locking a locked user is fine). An unknown
   * user is a permanent "not_found" (look it up first: a deleted user needs no lock).
   */
  lockUser(userId: string): Promise<void>;
  /** Lets a locked user sign in again (synchronous; unlocking an unlocked user is fine). */
  unlockUser(userId: string): Promise<void>;

  // desktops
  /** `name` is the platform-unique computer name deskgate chose: it doubles as a client token. */
  createDesktop(spec: { userName: string; os: DesktopOs; name: string }): Promise<{ jobId: string }>;
  findDesktopByName(name: string): Promise<PlatformDesktop | null>;
  getDesktop(id: string): Promise<PlatformDesktop | null>;
  /** Desktops assigned to the user (exact user-name match). */
  listDesktops(userName: string): Promise<PlatformDesktop[]>;
  /**
   * Starts deleting one desktop and its data disks (never its user); "already gone" = done. No
   * job: the desktop reads "deleting", then `getDesktop` answers null. (Used by rollbacks.)
   */
  deleteDesktop(id: string): Promise<void>;
  /**
   * Deletes desktops (at most 100) with their data disks as one platform job. `deleteUsers`:
   * each desktop's user goes too, once they own no other desktop. Desktops already gone or
   * already being deleted are skipped (`jobId` null when none is left). A desktop that another
   * job holds refuses the whole call: transient "busy".
   */
  deleteDesktops(desktopIds: string[], opts?: { deleteUsers?: boolean }): Promise<PlatformAction>;

  // power and rebuild
  /**
   * start / stop / reboot, SOFT (default) or HARD. Start of a desktop that is on, or stop of one
   * that is off, is done at once (`jobId` null); reboot of one that is off starts it. A desktop
   * busy with another job: transient "busy"; unknown: permanent "not_found".
   */
  powerDesktop(desktopId: string, action: PowerAction, mode?: PowerMode): Promise<PlatformAction>;
  /**
   * Reimages the system disk: to the image of `os` (the os → image table of create), or, without
   * `os`, to the image it has now. The desktop keeps its id, name, flavour, user and data disks.
   * Not idempotent by itself (a repeat reimages again): record the job id before anything else;
   * one running already answers transient "busy".
   */
  rebuildDesktop(desktopId: string, opts?: { os?: DesktopOs }): Promise<{ jobId: string }>;
  /**
   * The id of a rebuild job of this desktop that began at or after `since`, or null: how a
   * task whose rebuild request got no answer (a crash, a timeout) finds out whether it left.
   */
  findRebuildJob(desktopId: string, since: Date): Promise<string | null>;

  // tags (only with capabilities.tags)
  /** The desktop's tags; an unknown desktop is a permanent "not_found". */
  getDesktopTags(desktopId: string): Promise<Record<string, string>>;
  /** Adds or overwrites these keys, leaving the others; the platform's key/value rules and tag count apply ("invalid"). */
  setDesktopTags(desktopId: string, tags: Record<string, string>): Promise<void>;
  /** Removes these keys; keys not there, or a desktop already gone, are fine. */
  removeDesktopTags(desktopId: string, keys: string[]): Promise<void>;

  // flavours and resize
  /** The flavours this desktop can be resized to (not including its current one). */
  resizeTargets(desktopId: string): Promise<PlatformFlavor[]>;
  /** The flavours a desktop of flavour `flavorId` can be resized to (not including it). */
  flavorTargets(flavorId: string): Promise<PlatformFlavor[]>;
  /** Every flavour the platform offers (what new desktops get, what desktops run). */
  flavors(): Promise<PlatformFlavor[]>;
  /** Stops the desktop, changes its flavour; `flavorId` from `resizeTargets`. */
  resizeDesktop(desktopId: string, flavorId: string): Promise<{ jobId: string }>;

  // data disks
  readonly limits: PlatformLimits;
  /** Size is rounded up to the platform's granularity by the caller. */
  addVolume(desktopId: string, sizeBytes: number): Promise<{ jobId: string }>;
  expandVolume(desktopId: string, volumeId: string, sizeBytes: number): Promise<{ jobId: string }>;

  // policies (USB redirection, data transfer)
  getPolicy(desktop: PlatformDesktop): Promise<DesktopPolicy>;
  setPolicy(desktop: PlatformDesktop, policy: DesktopPolicy): Promise<void>;

  // quotas (read-only: the api reads them, cached, to refuse at request time what cannot fit)
  /** The account's quotas as the platform counts them now (only the resources it reports). */
  quotas(): Promise<PlatformQuotas>;
  /**
   * What one new desktop of `os` takes from the quotas: one desktop, its flavour's vCPUs and
   * memory (absent when the platform does not list that flavour), its system disk. Not its user.
   */
  desktopFootprint(os: DesktopOs): Promise<QuotaAmounts>;

  getJob(jobId: string): Promise<JobStatus>;
  /**
   * Which of these platform jobs are still pending (waiting or running), in as few calls as
   * the platform allows: the worker checks every parked task's job at once with it. A job it
   * does not report is looked at again with `getJob`, so it may err towards "not pending".
   */
  pendingJobs(jobIds: readonly string[]): Promise<Set<string>>;
}
