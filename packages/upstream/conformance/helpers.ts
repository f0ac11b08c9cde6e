import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import { UpstreamError } from "../src/errors.ts";
import { awaitJob } from "../src/poll.ts";
import type { DesktopOs, DesktopPlatform, PlatformDesktop, PlatformUser } from "../src/port.ts";
import type { ConformanceKitOptions } from "./types.ts";

/** A strong password no platform rule should refuse (3+ classes, no user name in it). */
export const STRONG_PASSWORD = "Kq7#vLm2!xZ9";

/** A fresh name: letters and digits only, so it suits user and computer names (≤ 15 characters). */
export function uniqueName(prefix: string): string {
  return `${prefix}${randomBytes(5).toString("hex")}`;
}

export interface Kit {
  intervalMs: number;
  timeoutMs: number;
}

export function kitSettings(options: ConformanceKitOptions): Kit {
  return { intervalMs: options.jobIntervalMs ?? 20, timeoutMs: options.jobTimeoutMs ?? 60_000 };
}

/** Waits for a platform job and asserts it succeeded. */
export async function succeed(platform: DesktopPlatform, kit: Kit, job: { jobId: string }) {
  const status = await awaitJob(platform, job.jobId, {
    intervalMs: kit.intervalMs,
    timeoutMs: kit.timeoutMs,
  });
  expect(status, JSON.stringify(status)).toMatchObject({ state: "succeeded" });
  return status as { state: "succeeded"; desktopId: string | null };
}

/** A user with one active desktop. */
export async function provision(
  platform: DesktopPlatform,
  kit: Kit,
  os: DesktopOs = "win10",
): Promise<{ user: PlatformUser; desktop: PlatformDesktop }> {
  const user = await platform.createUser(uniqueName("cu"), STRONG_PASSWORD);
  const name = uniqueName("cd");
  const done = await succeed(platform, kit, await platform.createDesktop({ userName: user.name, os, name }));
  const desktop = await settle(platform, kit, done.desktopId ?? (await platform.findDesktopByName(name))!.id);
  return { user, desktop };
}

/** Polls a desktop until it is no longer being created. */
export async function settle(platform: DesktopPlatform, kit: Kit, id: string): Promise<PlatformDesktop> {
  const deadline = Date.now() + kit.timeoutMs;
  for (;;) {
    const d = await platform.getDesktop(id);
    if (!d) throw new Error(`desktop ${id} vanished`);
    if (d.state !== "creating" || Date.now() > deadline) return d;
    await new Promise((r) => setTimeout(r, kit.intervalMs));
  }
}

/** Polls until the desktop is gone (a delete may take a moment). */
export async function gone(platform: DesktopPlatform, kit: Kit, id: string): Promise<void> {
  const deadline = Date.now() + kit.timeoutMs;
  while ((await platform.getDesktop(id)) !== null) {
    if (Date.now() > deadline) throw new Error(`desktop ${id} is still there`);
    await new Promise((r) => setTimeout(r, kit.intervalMs));
  }
}

/** The UpstreamError a promise rejects with (fails the test if it resolves or throws something else). */
export async function upstreamError(p: Promise<unknown>): Promise<UpstreamError> {
  const outcome = await p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!("error" in outcome))
    throw new Error(`expected an UpstreamError, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(UpstreamError);
  return outcome.error as UpstreamError;
}
