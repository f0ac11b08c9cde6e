import { createHash } from "node:crypto";
import type { ApplyRequest, ApplyResult } from "@deskgate/contracts";
import {
  allocateGroupNumber,
  deleteUserRow,
  findUser,
  keyIsAdmin,
  type TaskRow,
  upsertDesktop,
  upsertUser,
} from "@deskgate/db";
import { generatePassword } from "@deskgate/runtime";
import { type PlatformDesktop, UpstreamError } from "@deskgate/upstream";
import type { WorkerDeps } from "../deps.ts";
import { TaskFailure } from "../failure.ts";
import { platformJobResult } from "../platform-job.ts";
import { taskContext } from "../progress.ts";
import { runStep } from "../steps.ts";
import { writesOf } from "../writes.ts";

/**
 * The task's resumable state, committed after every upstream step. A re-run (after a crash
 * or a transient failure) reads it and continues where the last run stopped, so nothing is
 * created twice upstream.
 */
export interface ApplyProgress {
  mode?: "new_user" | "existing_user";
  /** The new user's name once allocated (null again when someone else took it first). */
  username?: string | null;
  userId?: string;
  /** Set (and committed) just before the user is created: a user found after it is this task's. */
  createRequested?: boolean;
  /** The generated password, sealed (AES-256-GCM), until it is handed to the callback. */
  sealedPassword?: string;
  userCreated?: boolean;
  /** A group number taken but not yet checked against the platform: a re-run reuses it (no gap). */
  candidate?: string | null;
  desktopName?: string;
  jobId?: string;
  desktopId?: string;
  /** Set once the task is known to fail: a re-run only finishes the rollback. */
  failure?: string;
  /** Whether the approval tags were tried (set or failed): a re-run does not try again. */
  tagged?: boolean;
}

export interface ApplyOutcome {
  data: Omit<ApplyResult, "task_id">;
  password: string;
}

/** Group names must leave room for `_NNN` within Workspace's 20-character Windows limit. */
const GROUP_NAME = /^[A-Za-z][A-Za-z0-9-]{0,15}$/;

/**
 * An apply may add a desktop to a user who exists on the platform when deskgate's tables give
 * that user to the task's tenant, or the task came from an admin key (docs/api.md, "Tenants").
 */
async function mayAdopt(deps: WorkerDeps, task: TaskRow, username: string): Promise<boolean> {
  if (task.tenant === null) return true; // accepted before tenants existed
  const known = await findUser(deps.database.db, username);
  if (known?.tenant === task.tenant) return true;
  return task.apiKeyId !== null && (await keyIsAdmin(deps.database.db, task.apiKeyId));
}

/** The next free `<group>_NN` for a new user, recorded with its sealed password. */
async function allocateUsername(deps: WorkerDeps, task: TaskRow, group: string): Promise<void> {
  const { progress, save, step, writes } = taskContext<ApplyProgress>(deps, task);
  await step("allocate_username", async () => {
    const skipped: string[] = [];
    for (;;) {
      let candidate = progress.candidate;
      if (!candidate) {
        const n = await writes.now((db) => allocateGroupNumber(db, group));
        candidate = `${group}_${String(n).padStart(2, "0")}`;
        // Recorded before the platform is asked, so an outage here does not burn the number.
        await save({ candidate });
      }
      if (await deps.platform.findUser(candidate)) {
        await save({ candidate: null });
        skipped.push(candidate); // made outside deskgate: never reuse it
        continue;
      }
      const password = generatePassword(candidate);
      await save({ username: candidate, sealedPassword: deps.box.seal(password), createRequested: false });
      return skipped.length ? `${candidate} (skipped existing ${skipped.join(", ")})` : candidate;
    }
  });
}

export async function runApply(deps: WorkerDeps, task: TaskRow): Promise<ApplyOutcome> {
  const request = task.request as ApplyRequest;
  const { progress, save, step, writes } = taskContext<ApplyProgress>(deps, task);

  if (!progress.mode) {
    await step("resolve_user", async () => {
      const existing = await deps.platform.findUser(request.username);
      if (existing) {
        if (!(await mayAdopt(deps, task, existing.name))) {
          throw new TaskFailure(
            `user ${existing.name} is not available to this key: it belongs to another tenant, or was made ` +
              `outside deskgate and no tenant owns it yet (an operator assigns it: deskgate users assign ${existing.name} --tenant …)`,
          );
        }
        await save({ mode: "existing_user", username: existing.name, userId: existing.id });
        await writes.write((db) =>
          upsertUser(db, {
            username: existing.name,
            upstreamId: existing.id,
            groupName: null,
            createdByTask: null,
          }),
        );
        return `existing user ${existing.name}: adding a desktop`;
      }
      if (!GROUP_NAME.test(request.username)) {
        throw new TaskFailure(
          `username "${request.username}" is neither an existing user nor a valid group name ` +
            "(a group name starts with a letter and has at most 16 letters, digits or '-')",
        );
      }
      await save({ mode: "new_user" });
      return `group ${request.username}: allocating a new user`;
    });
  }

  // Allocate a name, then create the user; a name someone else took in between is skipped.
  while (progress.mode === "new_user" && !progress.userId) {
    if (!progress.username) await allocateUsername(deps, task, request.username);
    await step("create_user", async () => {
      const username = progress.username!;
      // Look before create: a previous run may have created it and died before recording.
      const found = await deps.platform.findUser(username);
      if (found && !progress.createRequested) {
        // Made outside deskgate after the name was checked: not ours to take, nor to delete in
        // a rollback (issue 17.10). Never reuse it; allocate another.
        await save({ username: null, candidate: null, sealedPassword: undefined });
        return `${username} appeared on the platform meanwhile (made outside deskgate): choosing another name`;
      }
      if (!found) await save({ createRequested: true }); // committed before the create is sent
      const user =
        found ?? (await deps.platform.createUser(username, deps.box.open(progress.sealedPassword!)));
      await save({ userId: user.id, userCreated: true });
      await writes.write((db) =>
        upsertUser(db, {
          username,
          upstreamId: user.id,
          groupName: request.username,
          createdByTask: task.id,
          tenant: task.tenant,
        }),
      );
      return found ? `${username} found (created by an earlier run)` : `${username} created`;
    });
  }

  const username = progress.username!;
  const desktopName = progress.desktopName ?? computerNameFor(task.id, username);
  if (!progress.desktopId && !progress.jobId) {
    await step("create_desktop", async () => {
      await save({ desktopName });
      const found = await deps.platform.findDesktopByName(desktopName);
      if (found) {
        await save({ desktopId: found.id });
        return `${desktopName} found (created by an earlier run)`;
      }
      const { jobId } = await deps.platform.createDesktop({
        userName: username,
        os: request.os,
        name: desktopName,
      });
      await save({ jobId });
      return `${desktopName} requested, platform job ${jobId}`;
    });
  }

  const desktop = await step(
    "wait_desktop",
    async () => {
      if (progress.jobId) {
        const status = await platformJobResult(deps, progress.jobId);
        if (status.state === "failed") {
          throw new TaskFailure(
            `desktop creation failed on the platform: ${status.reason}${status.code ? ` (${status.code})` : ""}`,
          );
        }
        if (status.desktopId) await save({ desktopId: status.desktopId });
      }
      const d = progress.desktopId
        ? await deps.platform.getDesktop(progress.desktopId)
        : await deps.platform.findDesktopByName(desktopName);
      if (!d) throw new TaskFailure(`desktop ${desktopName} is missing on the platform after creation`);
      const ready = await awaitDesktopActive(deps, d);
      await save({ desktopId: ready.id });
      return ready;
    },
    (d) => `${d.name} (${d.id}) active`,
  );

  await writes.write(async (db) =>
    upsertDesktop(db, {
      // the desktop belongs to its user's tenant: the task's for the user it made, else the
      // existing user's (an admin adding one to a tenant's user); read only then
      tenant: progress.mode === "new_user" ? task.tenant : ((await findUser(db, username))?.tenant ?? null),
      desktopUuid: desktop.id,
      desktopName: desktop.name,
      username,
      os: request.os,
      productId: desktop.productId,
      status: "active",
      ticketId: request.ticket_id ?? null,
      requester: request.requester ?? null,
      leaseExpiresAt: request.expires_at ? new Date(request.expires_at) : null,
      leaseTaskId: request.expires_at ? task.id : null,
      createdByTask: task.id,
    }),
  );

  const tags = approvalTags(request);
  if (deps.platform.capabilities.tags && Object.keys(tags).length > 0 && !progress.tagged) {
    // Best effort: the desktop is made and the caller's ticket is on the task and desktop
    // row either way, so a tag the platform refuses is recorded (a failed step) and the
    // apply goes on (docs/design.md).
    try {
      await step(
        "tag_desktop",
        () => deps.platform.setDesktopTags(desktop.id, tags),
        () =>
          Object.entries(tags)
            .map(([k, v]) => `${k}=${v}`)
            .join(", "),
      );
    } catch (error) {
      deps.logger.warn(
        { task_id: task.id, err: error instanceof Error ? error.message : String(error) },
        "approval tags not set on the desktop",
      );
    }
    await save({ tagged: true });
  }

  const newUser = progress.mode === "new_user";
  return {
    data: { username, password: "", desktop_uuid: desktop.id, desktop_name: desktop.name, new_user: newUser },
    password: newUser ? deps.box.open(progress.sealedPassword!) : "",
  };
}

/**
 * Undo what this task made upstream, in reverse order: the desktop, then the user if this
 * task created it. Safe to repeat. Returns what was rolled back, for the failure message.
 */
export async function rollbackApply(deps: WorkerDeps, task: TaskRow): Promise<string[]> {
  const writes = writesOf(deps);
  const progress = task.progress as ApplyProgress;
  const undone: string[] = [];
  const desktop = progress.desktopId
    ? await deps.platform.getDesktop(progress.desktopId)
    : progress.desktopName
      ? await deps.platform.findDesktopByName(progress.desktopName)
      : null;
  if (desktop) {
    await runStep(writes, task.id, "rollback_desktop", async () => {
      await deps.platform.deleteDesktop(desktop.id);
      await waitGone(deps, desktop.id);
    });
    undone.push(`deleted desktop ${desktop.name}`);
  }
  // only a user this task created (or sent the create for, then died before recording it)
  if (
    progress.mode === "new_user" &&
    progress.username &&
    (progress.userCreated || progress.createRequested)
  ) {
    const user = progress.userId ? { id: progress.userId } : await deps.platform.findUser(progress.username);
    if (user) {
      await runStep(writes, task.id, "rollback_user", () => deps.platform.deleteUser(user.id));
      const username = progress.username;
      await writes.write((db) => deleteUserRow(db, username));
      undone.push(`deleted user ${progress.username}`);
    }
  }
  return undone;
}

/** A desktop found by name after a crash may still be building: poll until it settles. */
async function awaitDesktopActive(deps: WorkerDeps, desktop: PlatformDesktop): Promise<PlatformDesktop> {
  const deadline = Date.now() + deps.settings.jobTimeoutMs;
  let d: PlatformDesktop | null = desktop;
  while (d && d.state === "creating" && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, deps.settings.pollIntervalMs));
    d = await deps.platform.getDesktop(d.id);
  }
  if (!d)
    throw new TaskFailure(`desktop ${desktop.name} disappeared from the platform while it was being created`);
  if (d.state === "error") throw new TaskFailure(`desktop ${d.name} is in ERROR state on the platform`);
  if (d.state !== "active") {
    throw new UpstreamError({
      message: `desktop ${d.name} is still ${d.state}`,
      transient: true,
      reason: "busy",
    });
  }
  return d;
}

async function waitGone(deps: WorkerDeps, desktopId: string): Promise<void> {
  const deadline = Date.now() + deps.settings.jobTimeoutMs;
  while ((await deps.platform.getDesktop(desktopId)) !== null) {
    if (Date.now() > deadline) {
      throw new UpstreamError({
        message: `desktop ${desktopId} is still being deleted`,
        transient: true,
        reason: "busy",
      });
    }
    await new Promise((r) => setTimeout(r, deps.settings.pollIntervalMs));
  }
}

/** Tag values: 0-43 letters, digits, spaces and `_.:=+-@`, no leading or trailing space (Workspace). */
const TAG_VALUE_MAX = 43;
const TAG_VALUE_OUTSIDE = /[^\p{L}\p{N} _.:=+\-@]/gu;

/**
 * The approval metadata as desktop tags `ticket_id` / `requester`, fitted to the platform's
 * tag rules: a character tags cannot hold becomes `_`, the value is cut to 43 characters and
 * trimmed. The exact values stay on the task and the desktop row.
 */
export function approvalTags(request: { ticket_id?: string; requester?: string }): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const key of ["ticket_id", "requester"] as const) {
    const raw = request[key];
    if (raw === undefined) continue;
    const value = [...raw.replace(TAG_VALUE_OUTSIDE, "_")].slice(0, TAG_VALUE_MAX).join("").trim();
    if (value) tags[key] = value;
  }
  return tags;
}

/**
 * The desktop's platform-unique computer name, derived from the task id: it is the client
 * token that lets a re-run find a desktop an earlier run created. 15 characters, letters,
 * digits and '-', as Workspace requires; readable prefix from the user name.
 */
export function computerNameFor(taskId: string, username: string): string {
  const prefix =
    username
      .replace(/[^A-Za-z0-9]/g, "")
      .slice(0, 5)
      .toUpperCase() || "DG";
  const hash = createHash("sha256")
    .update(taskId)
    .digest("hex")
    .slice(0, 14 - prefix.length)
    .toUpperCase();
  return `${prefix}-${hash}`;
}
