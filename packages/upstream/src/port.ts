export type DesktopOs = "win7" | "win10" | "kylin" | "macos";

export interface PlatformUser {
  id: string;
  name: string;
}

export type DesktopState = "creating" | "active" | "error" | "deleting";

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
 * What deskgate needs from a VDI platform. Adapters hide the vendor's paths, auth, units
 * and job model; the worker talks to platforms only through this port.
 *
 * Every method that creates something has a look-up twin (`findUser`, `findDesktopByName`,
 * `getDesktop().volumes`) so the worker can look before it creates and resume after a crash;
 * every delete treats "already gone" as success. Errors are `UpstreamError`s, classified
 * transient or permanent. Methods returning `{ jobId }` start a platform job: poll `getJob`.
 */
export interface DesktopPlatform {
  readonly name: string;
  readonly capabilities: {
    /** Whether a chosen password can be set after creation (Workspace: no; simulator: yes). */
    canSetPassword: boolean;
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

  // desktops
  /** `name` is the platform-unique computer name deskgate chose: it doubles as a client token. */
  createDesktop(spec: { userName: string; os: DesktopOs; name: string }): Promise<{ jobId: string }>;
  findDesktopByName(name: string): Promise<PlatformDesktop | null>;
  getDesktop(id: string): Promise<PlatformDesktop | null>;
  /** Desktops assigned to the user (exact user-name match). */
  listDesktops(userName: string): Promise<PlatformDesktop[]>;
  deleteDesktop(id: string): Promise<void>;

  // flavours and resize
  /** The flavours this desktop can be resized to (not including its current one). */
  resizeTargets(desktopId: string): Promise<PlatformFlavor[]>;
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

  getJob(jobId: string): Promise<JobStatus>;
}
