import type { ResourceUpdateRequest, ResourceUpdateResult } from "@deskgate/contracts";
import { type TaskRow, updateDesktopMirror, upsertVolume } from "@deskgate/db";
import type { PlatformDesktop, PlatformLimits, PlatformVolume } from "@deskgate/upstream";
import type { WorkerDeps } from "../deps.ts";
import { TaskFailure } from "../failure.ts";
import { awaitPlatformJob, requireDesktop, showBytes } from "../platform-job.ts";
import { taskContext } from "../progress.ts";
import type { TaskOutcome } from "./run-task.ts";

/**
 * desktop.resource_update (SPEC 2.2, 4): data disk and cpu/memory of one desktop.
 *
 * The plan is decided once, from the desktop as it was when the task started, and committed
 * to `progress.plan`: a re-run after a crash follows the same plan (after a disk was created
 * the desktop has "exactly one" disk, but the plan still says "create", and the created disk
 * is found by comparing with `volumeIdsBefore`). Growing and resizing are idempotent by
 * target: a re-run first looks whether the target is already reached.
 */
export interface DiskPlan {
  action: "create" | "grow" | "none";
  /** The disk to grow (grow), or the one created (create, once found). */
  volumeId?: string;
  /** Target after rounding up to the platform's granularity. */
  targetBytes: number;
  currentBytes?: number;
}

export interface ResizePlan {
  action: "resize" | "none";
  flavorId?: string;
  cpu: number;
  memoryBytes: number;
}

export interface ResourceUpdateProgress {
  plan?: { disk?: DiskPlan; resize?: ResizePlan };
  /** Data disks before this task asked for a new one (create only). */
  volumeIdsBefore?: string[];
  /** Set just before the add request leaves: a re-run must look for the disk before adding. */
  addRequested?: boolean;
  addJobId?: string;
  expandJobId?: string;
  resizeJobId?: string;
  diskDone?: boolean;
  resizeDone?: boolean;
}

export async function runResourceUpdate(deps: WorkerDeps, task: TaskRow): Promise<TaskOutcome> {
  const request = task.request as ResourceUpdateRequest;
  const { progress, save, step } = taskContext<ResourceUpdateProgress>(deps, task);
  const desktopId = request.desktop_uuid;

  if (!progress.plan) {
    await step(
      "plan",
      async () => {
        const desktop = await requireDesktop(deps, desktopId);
        const plan = {
          ...(request.disk === undefined ? {} : { disk: planDisk(desktop, request, deps.platform.limits) }),
          ...(request.cpu === undefined && request.memory === undefined
            ? {}
            : { resize: await planResize(deps, desktop, request) }),
        };
        await save({ plan, volumeIdsBefore: desktop.volumes.map((v) => v.id) });
        return plan;
      },
      describePlan,
    );
  }
  const plan = progress.plan!;
  const notes: string[] = [];

  if (plan.disk?.action === "create" && !progress.diskDone) {
    await createDisk(deps, task, plan.disk);
  } else if (plan.disk?.action === "grow" && !progress.diskDone) {
    await growDisk(deps, task, plan.disk);
  }
  if (plan.disk?.action === "none") notes.push("the disk already has the requested size: nothing to do");

  if (plan.resize?.action === "resize" && !progress.resizeDone) {
    await resize(deps, task, plan.resize);
  }
  if (plan.resize?.action === "resize") {
    notes.push(
      "the platform stopped the desktop to change its cpu/memory; it is back in its previous power state",
    );
  } else if (plan.resize) {
    notes.push("cpu and memory already as requested: nothing to do");
  }

  const created = progress.plan?.disk?.action === "create" ? progress.plan.disk.volumeId : undefined;
  const desktop = await step(
    "refresh_mirror",
    async () => {
      const d = await requireDesktop(deps, desktopId);
      await updateDesktopMirror(deps.database.db, d.id, {
        productId: d.productId,
        cpu: d.cpu,
        memoryBytes: d.memoryBytes,
        sid: d.sid,
      });
      for (const v of d.volumes) {
        await upsertVolume(deps.database.db, {
          volumeUuid: v.id,
          desktopUuid: d.id,
          volumeName: v.name,
          sizeBytes: v.sizeBytes,
          status: "in-use",
          createdByTask: v.id === created ? task.id : null,
        });
      }
      return d;
    },
    (d) => `${d.volumes.length} data disk(s), ${d.cpu ?? "?"} vCPU, ${d.memoryBytes ?? "?"} bytes`,
  );

  const data: Omit<ResourceUpdateResult, "task_id"> = { desktop_uuid: desktopId };
  if (plan.disk) {
    const volume = desktop.volumes.find((v) => v.id === progress.plan?.disk?.volumeId);
    if (volume) {
      data.volume_uuid = volume.id;
      data.volume_size = volume.sizeBytes;
    }
  }
  if (plan.resize) {
    data.cpu = desktop.cpu ?? plan.resize.cpu;
    data.memory = desktop.memoryBytes ?? plan.resize.memoryBytes;
  }
  if (notes.length) data.note = notes.join("; ");
  return { data };
}

/** SPEC 2.2's disk rules, in the order the spec states them. */
export function planDisk(
  desktop: PlatformDesktop,
  request: Pick<ResourceUpdateRequest, "disk" | "volume_uuid">,
  limits: PlatformLimits,
): DiskPlan {
  const wanted = request.disk!;
  if (wanted > limits.diskMaxBytes) {
    throw new TaskFailure(
      `disk: ${showBytes(wanted)} is above the platform's maximum of ${showBytes(limits.diskMaxBytes)}`,
    );
  }
  const targetBytes = Math.max(
    limits.diskMinBytes,
    Math.ceil(wanted / limits.diskStepBytes) * limits.diskStepBytes,
  );
  let volume: PlatformVolume | undefined;
  if (request.volume_uuid !== undefined) {
    volume = desktop.volumes.find((v) => v.id === request.volume_uuid);
    if (!volume) {
      throw new TaskFailure(
        `volume ${request.volume_uuid} is not a data disk of desktop ${desktop.id}` + listVolumes(desktop),
      );
    }
  } else if (desktop.volumes.length === 0) {
    return { action: "create", targetBytes };
  } else if (desktop.volumes.length === 1) {
    volume = desktop.volumes[0]!;
  } else {
    throw new TaskFailure(
      `desktop ${desktop.id} has ${desktop.volumes.length} data disks: say which one to grow with volume_uuid` +
        listVolumes(desktop),
    );
  }
  if (wanted < volume.sizeBytes) {
    throw new TaskFailure(
      `disk: ${showBytes(wanted)} is below the current size of volume ${volume.id} (${showBytes(volume.sizeBytes)}); disks only grow`,
    );
  }
  if (targetBytes <= volume.sizeBytes) {
    return {
      action: "none",
      volumeId: volume.id,
      targetBytes: volume.sizeBytes,
      currentBytes: volume.sizeBytes,
    };
  }
  return { action: "grow", volumeId: volume.id, targetBytes, currentBytes: volume.sizeBytes };
}

function listVolumes(desktop: PlatformDesktop): string {
  if (desktop.volumes.length === 0) return " (it has no data disks)";
  return ` (its data disks: ${desktop.volumes.map((v) => `${v.id} ${v.name} ${showBytes(v.sizeBytes)}`).join(", ")})`;
}

/** The flavour with exactly the wanted cpu and memory; an omitted one keeps its current value. */
async function planResize(
  deps: WorkerDeps,
  desktop: PlatformDesktop,
  request: Pick<ResourceUpdateRequest, "cpu" | "memory">,
): Promise<ResizePlan> {
  if (desktop.cpu === null || desktop.memoryBytes === null) {
    throw new TaskFailure(`the platform does not report the cpu/memory of desktop ${desktop.id}`);
  }
  const cpu = request.cpu ?? desktop.cpu;
  const memoryBytes = request.memory ?? desktop.memoryBytes;
  if (cpu === desktop.cpu && memoryBytes === desktop.memoryBytes) return { action: "none", cpu, memoryBytes };
  const targets = await deps.platform.resizeTargets(desktop.id);
  const match = targets
    .filter((f) => f.cpu === cpu && f.memoryBytes === memoryBytes)
    .sort((a, b) => a.id.localeCompare(b.id))[0];
  if (!match) {
    const combos = [...targets]
      .sort((a, b) => a.cpu - b.cpu || a.memoryBytes - b.memoryBytes)
      .map((f) => `${f.cpu} vCPU / ${f.memoryBytes} bytes (${f.memoryBytes / 1024 ** 3} GiB)`)
      .join(", ");
    throw new TaskFailure(
      `no flavour has ${cpu} vCPU and ${memoryBytes} bytes of memory; available: ${combos || "none"}`,
    );
  }
  return { action: "resize", flavorId: match.id, cpu, memoryBytes };
}

async function createDisk(deps: WorkerDeps, task: TaskRow, plan: DiskPlan): Promise<void> {
  const { progress, save, step } = taskContext<ResourceUpdateProgress>(deps, task);
  const desktopId = (task.request as ResourceUpdateRequest).desktop_uuid;
  const before = new Set(progress.volumeIdsBefore ?? []);
  const newDisk = (d: PlatformDesktop) => d.volumes.find((v) => !before.has(v.id));

  if (!progress.addJobId) {
    await step("add_volume", async () => {
      if (progress.addRequested) {
        // An earlier run may have asked already: look before adding a second disk. Its job may
        // still be running (the disk shows only at the end), so look again for a short while;
        // a still-running add also makes the platform refuse ours (transient WKS.0407).
        const settleUntil = Date.now() + Math.max(2000, 5 * deps.settings.pollIntervalMs);
        for (;;) {
          const found = newDisk(await requireDesktop(deps, desktopId));
          if (found) {
            await save({ plan: { ...progress.plan, disk: { ...plan, volumeId: found.id } }, diskDone: true });
            return `disk ${found.id} found (added by an earlier run)`;
          }
          if (Date.now() >= settleUntil) break;
          await new Promise((r) => setTimeout(r, deps.settings.pollIntervalMs));
        }
      }
      await save({ addRequested: true });
      const { jobId } = await deps.platform.addVolume(desktopId, plan.targetBytes);
      await save({ addJobId: jobId });
      return `adding a ${showBytes(plan.targetBytes)} disk, platform job ${jobId}`;
    });
  }
  if (progress.diskDone) return;
  await step(
    "wait_volume",
    async () => {
      await awaitPlatformJob(deps, progress.addJobId!, "adding the data disk");
      const fresh = (await requireDesktop(deps, desktopId)).volumes.filter((v) => !before.has(v.id));
      const found = fresh.at(-1);
      if (!found)
        throw new TaskFailure("the platform reported the disk added, but the desktop does not show it");
      if (fresh.length > 1) {
        deps.logger.warn(
          { task_id: task.id, disks: fresh.map((v) => v.id) },
          "more than one new data disk after a resumed add: an earlier run's disk appeared late",
        );
      }
      await save({ plan: { ...progress.plan, disk: { ...plan, volumeId: found.id } }, diskDone: true });
      return found;
    },
    (v) => `disk ${v.id} attached, ${showBytes(v.sizeBytes)}`,
  );
}

async function growDisk(deps: WorkerDeps, task: TaskRow, plan: DiskPlan): Promise<void> {
  const { progress, save, step } = taskContext<ResourceUpdateProgress>(deps, task);
  const desktopId = (task.request as ResourceUpdateRequest).desktop_uuid;
  if (!progress.expandJobId) {
    await step("expand_volume", async () => {
      const volume = (await requireDesktop(deps, desktopId)).volumes.find((v) => v.id === plan.volumeId);
      if (!volume) throw new TaskFailure(`volume ${plan.volumeId} disappeared from desktop ${desktopId}`);
      if (volume.sizeBytes >= plan.targetBytes) {
        await save({ diskDone: true });
        return `volume ${volume.id} already ${showBytes(volume.sizeBytes)}`;
      }
      const { jobId } = await deps.platform.expandVolume(desktopId, volume.id, plan.targetBytes);
      await save({ expandJobId: jobId });
      return `growing ${volume.id} to ${showBytes(plan.targetBytes)}, platform job ${jobId}`;
    });
  }
  if (progress.diskDone) return;
  await step("wait_volume", async () => {
    await awaitPlatformJob(deps, progress.expandJobId!, "growing the data disk");
    await save({ diskDone: true });
  });
}

async function resize(deps: WorkerDeps, task: TaskRow, plan: ResizePlan): Promise<void> {
  const { progress, save, step } = taskContext<ResourceUpdateProgress>(deps, task);
  const desktopId = (task.request as ResourceUpdateRequest).desktop_uuid;
  if (!progress.resizeJobId) {
    await step("resize", async () => {
      const d = await requireDesktop(deps, desktopId);
      if (d.productId === plan.flavorId || (d.cpu === plan.cpu && d.memoryBytes === plan.memoryBytes)) {
        await save({ resizeDone: true });
        return `already ${plan.cpu} vCPU / ${plan.memoryBytes} bytes`;
      }
      const { jobId } = await deps.platform.resizeDesktop(desktopId, plan.flavorId!);
      await save({ resizeJobId: jobId });
      return `resizing to ${plan.flavorId} (the platform stops the desktop), platform job ${jobId}`;
    });
  }
  if (progress.resizeDone) return;
  await step("wait_resize", async () => {
    await awaitPlatformJob(deps, progress.resizeJobId!, "the resize");
    await save({ resizeDone: true });
  });
}

function describePlan(plan: { disk?: DiskPlan; resize?: ResizePlan }): string {
  const parts: string[] = [];
  if (plan.disk?.action === "create") parts.push(`create a ${showBytes(plan.disk.targetBytes)} data disk`);
  if (plan.disk?.action === "grow")
    parts.push(`grow ${plan.disk.volumeId} to ${showBytes(plan.disk.targetBytes)}`);
  if (plan.disk?.action === "none") parts.push(`disk ${plan.disk.volumeId} already at size`);
  if (plan.resize?.action === "resize") parts.push(`resize to ${plan.resize.flavorId}`);
  if (plan.resize?.action === "none") parts.push("cpu/memory unchanged");
  return parts.join("; ");
}
