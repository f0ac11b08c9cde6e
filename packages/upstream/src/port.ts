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
}

export type JobStatus =
  | { state: "running" }
  | { state: "succeeded"; desktopId: string | null }
  | { state: "failed"; code: string | null; reason: string };

/**
 * What deskgate needs from a VDI platform. Adapters hide the vendor's paths, auth, units
 * and job model; the worker talks to platforms only through this port.
 *
 * Every method that creates something has a look-up twin (`findUser`,
 * `findDesktopByName`) so the worker can look before it creates and resume after a crash;
 * every delete treats "already gone" as success.
 */
export interface DesktopPlatform {
  readonly name: string;
  readonly capabilities: { canSetPassword: boolean };

  /** Exact, case-sensitive match on the user name. */
  findUser(name: string): Promise<PlatformUser | null>;
  /** Throws UpstreamError reason "exists" when the name is taken. */
  createUser(name: string, password: string): Promise<PlatformUser>;
  deleteUser(id: string): Promise<void>;

  /** `name` is the platform-unique computer name deskgate chose: it doubles as a client token. */
  createDesktop(spec: { userName: string; os: DesktopOs; name: string }): Promise<{ jobId: string }>;
  findDesktopByName(name: string): Promise<PlatformDesktop | null>;
  getDesktop(id: string): Promise<PlatformDesktop | null>;
  deleteDesktop(id: string): Promise<void>;

  getJob(jobId: string): Promise<JobStatus>;
}
