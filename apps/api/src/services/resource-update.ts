import type { ResourceUpdateRequest } from "@deskgate/contracts";
import { type DesktopRow, listVolumesOfDesktop } from "@deskgate/db";
import type { Caller } from "../caller.ts";
import { type ApiDeps, GIB } from "../deps.ts";
import { callbackRefusal } from "./apply.ts";
import type { IdempotentRequest } from "./idempotency.ts";
import { unknownDesktop, visibleDesktop } from "./ownership.ts";
import { type Outcome, type Rejected, rejected, text } from "./reply.ts";
import { submitTask } from "./submit.ts";

/**
 * Accept a resource update (SPEC 2.2). Decided now, from deskgate's own tables: an unknown
 * desktop (404), a disk target beyond the platform's limit, an unknown `volume_uuid`, several
 * data disks without `volume_uuid` (listing them), a disk target below the current size;
 * and, from the platform's catalog (cached, fail open), a cpu/memory target no product of the
 * desktop's resize list has (listing the combinations it has).
 */
export async function acceptResourceUpdate(
  deps: ApiDeps,
  caller: Caller,
  input: ResourceUpdateRequest,
  idem?: IdempotentRequest,
): Promise<Outcome> {
  return submitTask(
    deps,
    caller,
    {
      kind: "desktop.resource_update",
      request: input,
      callbackUrl: input.callback_url,
      check: () => checkResourceUpdate(deps, caller, input),
    },
    idem,
  );
}

async function checkResourceUpdate(
  deps: ApiDeps,
  caller: Caller,
  input: ResourceUpdateRequest,
): Promise<Rejected | null> {
  const refused = callbackRefusal(deps, input.callback_url);
  if (refused) return refused;
  const desktop = await visibleDesktop(deps, caller, input.desktop_uuid);
  if (!desktop) return unknownDesktop(input.desktop_uuid);
  const disk = await diskRefusal(deps, input);
  if (disk) return disk;
  return flavorRefusal(deps, desktop, input);
}

async function diskRefusal(deps: ApiDeps, input: ResourceUpdateRequest): Promise<Rejected | null> {
  if (input.disk === undefined) return null;
  const { maxBytes, maxDataDisks } = deps.diskLimits;
  if (input.disk > maxBytes) {
    return rejected(
      "invalid_request",
      text(
        `disk: ${input.disk} bytes is beyond the platform's limit: data disks are 10 GB to ${maxBytes / GIB} GB (${maxBytes} bytes), in steps of 10 GB, at most ${maxDataDisks} per desktop`,
        `disk: ${input.disk} 字节超出平台限制:数据盘大小为 10 GB 至 ${maxBytes / GIB} GB(${maxBytes} 字节),以 10 GB 为步长,每个桌面最多 ${maxDataDisks} 块`,
      ),
    );
  }
  const volumes = await listVolumesOfDesktop(deps.database.db, input.desktop_uuid);
  const listing = volumes.map((v) => `${v.volumeUuid} (${v.volumeName}, ${v.sizeBytes} bytes)`).join(", ");
  let target = input.volume_uuid ? volumes.find((v) => v.volumeUuid === input.volume_uuid) : undefined;
  if (input.volume_uuid && !target) {
    return rejected(
      "invalid_request",
      text(
        `volume_uuid: ${input.volume_uuid} is not a data disk of desktop ${input.desktop_uuid} (its data disks: ${listing || "none"})`,
        `volume_uuid: ${input.volume_uuid} 不是桌面 ${input.desktop_uuid} 的数据盘(其数据盘: ${listing || "无"})`,
      ),
    );
  }
  if (!input.volume_uuid && volumes.length > 1) {
    return rejected(
      "invalid_request",
      text(
        `desktop ${input.desktop_uuid} has ${volumes.length} data disks; pass volume_uuid to choose the one to grow: ${listing} (GET /api/desktop/${input.desktop_uuid}/volumes lists them)`,
        `桌面 ${input.desktop_uuid} 有 ${volumes.length} 块数据盘,请通过 volume_uuid 指定要扩容的磁盘: ${listing}(可用 GET /api/desktop/${input.desktop_uuid}/volumes 查询)`,
      ),
    );
  }
  if (!input.volume_uuid && volumes.length === 1) target = volumes[0];
  if (target && input.disk < target.sizeBytes) {
    return rejected(
      "invalid_request",
      text(
        `disk: ${input.disk} bytes is below the current size of data disk ${target.volumeUuid} (${target.sizeBytes} bytes); disks only grow`,
        `disk: ${input.disk} 字节小于数据盘 ${target.volumeUuid} 的当前大小(${target.sizeBytes} 字节);磁盘只能扩容`,
      ),
    );
  }
  return null;
}

/**
 * SPEC 2.2 / 4: cpu/memory targets map to a product of the desktop's resize list with exactly
 * that cpu and memory (an omitted one keeps its current value); none → 400 listing the
 * combinations. The desktop's product comes from deskgate's tables, the lists from the
 * platform's catalog; anything unknown leaves the decision to the worker.
 */
async function flavorRefusal(
  deps: ApiDeps,
  desktop: DesktopRow,
  input: ResourceUpdateRequest,
): Promise<Rejected | null> {
  if ((input.cpu === undefined && input.memory === undefined) || !desktop.productId) return null;
  let current =
    desktop.cpu !== null && desktop.memoryBytes !== null
      ? { cpu: desktop.cpu, memoryBytes: desktop.memoryBytes }
      : undefined;
  if (!current) {
    current = (await deps.catalog.flavors())?.find((f) => f.id === desktop.productId);
    if (!current) return null;
  }
  const cpu = input.cpu ?? current.cpu;
  const memory = input.memory ?? current.memoryBytes;
  if (cpu === current.cpu && memory === current.memoryBytes) return null;
  const targets = await deps.catalog.flavorTargets(desktop.productId);
  if (!targets || targets.some((f) => f.cpu === cpu && f.memoryBytes === memory)) return null;
  const combos = targets
    .map((f) => `${f.cpu} vCPU / ${f.memoryBytes} bytes (${f.memoryBytes / GIB} GiB)`)
    .join(", ");
  const now = `${current.cpu} vCPU / ${current.memoryBytes} bytes`;
  return rejected(
    "invalid_request",
    text(
      `cpu/memory: no product has ${cpu} vCPU and ${memory} bytes of memory for desktop ${desktop.desktopUuid} (now ${now}); available: ${combos || "none"}`,
      `cpu/memory: 没有 ${cpu} vCPU、${memory} 字节内存的规格可用于桌面 ${desktop.desktopUuid}(当前 ${now});可用: ${combos || "无"}`,
    ),
  );
}
