import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import { UpstreamError } from "../src/errors.ts";
import { awaitJob } from "../src/poll.ts";
import type {
  DesktopOs,
  DesktopPlatform,
  PlatformAction,
  PlatformDesktop,
  PlatformUser,
  PowerState,
} from "../src/port.ts";
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
  /** See ConformanceKitOptions.rebuildOs; absent = skip that case. */
  rebuildOs?: { from: DesktopOs; to: DesktopOs } | null;
}

export function kitSettings(options: ConformanceKitOptions): Kit {
  return {
    intervalMs: options.jobIntervalMs ?? 20,
    timeoutMs: options.jobTimeoutMs ?? 60_000,
    rebuildOs: options.rebuildOs === undefined ? { from: "win10", to: "win7" } : options.rebuildOs,
  };
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

/** Polls `check` until it holds (platforms finish some effects a moment after their job). */
export async function until(kit: Kit, what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + kit.timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${kit.timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, kit.intervalMs));
  }
}

/** Waits for an action: its job when it has one (asserting success), then until `check` holds. */
export async function settleAction(
  platform: DesktopPlatform,
  kit: Kit,
  action: PlatformAction,
  what: string,
  check: () => Promise<boolean>,
): Promise<void> {
  expect(action).toEqual({ jobId: action.jobId === null ? null : expect.any(String) });
  if (action.jobId !== null) await succeed(platform, kit, { jobId: action.jobId });
  await until(kit, what, check);
}

/** Waits until the desktop reads this power state (and is no longer busy being created). */
export function powerIs(platform: DesktopPlatform, id: string, power: PowerState) {
  return async () => (await platform.getDesktop(id))?.power === power;
}

/**
 * Runs `fn` while another job may hold the desktop: it either succeeds (the platform queued it,
 * or the adapter waited the job out) or fails transient "busy" — never permanently.
 */
export async function busyOrDone<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    expect(e).toBeInstanceOf(UpstreamError);
    expect(e).toMatchObject({ transient: true, reason: "busy" });
    return { ok: false };
  }
}
