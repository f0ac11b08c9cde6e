import type { Clock } from "@deskgate/runtime";
import type { DesktopOs } from "../../port.ts";
import type { RetryOptions } from "../../retry.ts";
import type { WorkspaceAuth } from "./auth/index.ts";

export interface WorkspaceOptions {
  /** e.g. https://workspace.cn-north-4.myhuaweicloud.com, or the simulator's URL */
  baseUrl: string;
  projectId: string;
  /** How requests are authenticated: AK/SK signing, an IAM token (password or agency), or a fixed token. */
  auth?: WorkspaceAuth;
  /** Shorthand for `auth: { mode: "token", token }` (a token that is never renewed). */
  token?: string;
  /** Time for X-Sdk-Date and token expiry. Default the system clock. */
  clock?: Clock;
  /** Image id per deskgate os (`image_type` gold); an os without one is refused. */
  images: Partial<Record<DesktopOs, string>>;
  /** The product (flavour) new desktops get, per OS family. */
  products: { windows: string; linux: string };
  /** Per-request timeout. Default 30 s. */
  requestTimeoutMs?: number;
  /** Client-side limit on calls per second to this platform (0 or absent = unlimited). */
  ratePerSecond?: number;
  /** Requests allowed back to back before pacing starts. Default 1 (strict pacing). */
  rateBurst?: number;
  /** In-adapter retries of transient failures. Default 4 attempts, 200 ms base, 5 s cap. */
  retry?: Partial<RetryOptions>;
  /** Whether the platform offers the simulator's set-password extension. Default false. */
  canSetPassword?: boolean;
  /** Root disk of new desktops. Default SAS, 80 GB. */
  rootVolume?: { type: string; sizeGb: number };
  /** Type of data disks deskgate adds. Default SAS. */
  dataVolumeType?: string;
  /** Priority of deskgate's policy groups (0-55; smaller is assumed to win). Default 1. */
  policyGroupPriority?: number;
}
