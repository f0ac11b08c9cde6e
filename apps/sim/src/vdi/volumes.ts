import type { SimContext } from "../context.ts";
import { badRequest, VDI, vdiError } from "../errors.ts";
import { type Body, objectAt, oneOf, optArray, readBody, reqString } from "../http.ts";
import type { RouteDef } from "../routes.ts";
import type { DesktopRecord } from "../state.ts";
import {
  assertVolumesMutable,
  checkVolumeSize,
  findDesktop,
  MAX_DATA_VOLUMES,
  VOLUME_TYPES,
} from "./desktop-rules.ts";
import { type SubJobPlan, startJob } from "./jobs.ts";
import { checkQuota } from "./quotas.ts";
import { deviceName, volumeRecord } from "./volume-records.ts";

interface Planned {
  plan: SubJobPlan;
  volumes: number;
  gigabytes: number;
}

/** Data disks: add (`addVolumes`) and expand (`expandVolumes`), per desktop and in the batch forms. */
export function volumeRoutes(ctx: SimContext): RouteDef[] {
  const run = (jobType: string, planned: Planned[]) => {
    const ids = planned.map((p) => p.plan.desktop.desktop_id);
    if (new Set(ids).size !== ids.length)
      throw badRequest("Invalid parameter: a desktop appears more than once.");
    checkQuota(ctx, {
      volumes: planned.reduce((n, p) => n + p.volumes, 0),
      volume_gigabytes: planned.reduce((n, p) => n + p.gigabytes, 0),
    });
    return {
      job_id: startJob(
        ctx,
        jobType,
        planned.map((p) => p.plan),
      ).id,
    };
  };
  return [
    {
      method: "POST",
      path: "/desktops/:desktop_id/volumes",
      handler: async (c) => {
        const desktop = findDesktop(ctx, c.req.param("desktop_id")!);
        return c.json(run("addVolumes", [planAdd(desktop, await readBody(c), "volumes")]));
      },
    },
    {
      method: "POST",
      path: "/volumes",
      handler: async (c) => {
        const entries = batch(await readBody(c), "desktop_volumes");
        const planned = entries.map((e, i) =>
          planAdd(
            findDesktop(ctx, reqString(e, "desktop_id", `desktop_volumes[${i}].desktop_id`)),
            e,
            `desktop_volumes[${i}].volumes`,
          ),
        );
        return c.json(run("addVolumes", planned));
      },
    },
    {
      method: "POST",
      path: "/desktops/:desktop_id/volumes/:volume_id/expand",
      handler: async (c) => {
        const desktop = findDesktop(ctx, c.req.param("desktop_id")!);
        const body = await readBody(c);
        return c.json(run("expandVolumes", [planExpand(desktop, c.req.param("volume_id")!, body.new_size)]));
      },
    },
    {
      method: "POST",
      path: "/volumes/expand",
      handler: async (c) => {
        const entries = batch(await readBody(c), "desktop_volumes_expansion");
        const planned = entries.map((e, i) => {
          const path = `desktop_volumes_expansion[${i}]`;
          const desktop = findDesktop(ctx, reqString(e, "desktop_id", `${path}.desktop_id`));
          return planExpand(desktop, reqString(e, "volume_id", `${path}.volume_id`), e.new_size);
        });
        return c.json(run("expandVolumes", planned));
      },
    },
  ];
}

function batch(body: Body, key: string): Body[] {
  const list = optArray(body, key) ?? [];
  if (list.length === 0) throw badRequest(`Invalid parameter: ${key} is required.`);
  return list.map((_, i) => objectAt(list, i, key));
}

function planAdd(desktop: DesktopRecord, body: Body, path: string): Planned {
  const list = optArray(body, "volumes", path) ?? [];
  if (list.length === 0) throw badRequest(`Invalid parameter: ${path} is required.`);
  const specs = list.map((_, i) => {
    const v = objectAt(list, i, path);
    const type = oneOf(reqString(v, "type", `${path}[${i}].type`), VOLUME_TYPES, `${path}[${i}].type`);
    return { type, size: checkVolumeSize(v.size, `${path}[${i}].size`) };
  });
  assertVolumesMutable(desktop, "addVolumes");
  if (desktop.data_volumes.length + specs.length > MAX_DATA_VOLUMES) {
    throw vdiError(
      400,
      VDI.tooManyDisks,
      `A desktop can have at most ${MAX_DATA_VOLUMES} data disks; it has ${desktop.data_volumes.length}, ${specs.length} requested.`,
    );
  }
  return {
    volumes: specs.length,
    gigabytes: specs.reduce((n, s) => n + s.size, 0),
    plan: {
      desktop,
      fail: null,
      onSuccess: () => {
        for (const spec of specs) {
          const used = new Set(desktop.data_volumes.map((v) => v.device));
          let i = 0;
          while (used.has(deviceName(i))) i++;
          const label = `${desktop.computer_name}-data-${desktop.data_volumes.length + 1}`;
          desktop.data_volumes.push(volumeRecord(spec, deviceName(i), label));
        }
      },
    },
  };
}

function planExpand(desktop: DesktopRecord, volumeId: string, newSize: unknown): Planned {
  const target = [desktop.root_volume, ...desktop.data_volumes].find((v) => v.volume_id === volumeId);
  if (!target)
    throw vdiError(
      404,
      VDI.volumeNotFound,
      `The volume ${volumeId} does not exist on desktop ${desktop.desktop_id}.`,
    );
  assertVolumesMutable(desktop, "expandVolumes");
  if (!Number.isInteger(newSize) || (newSize as number) <= target.size || (newSize as number) > 32768) {
    throw vdiError(
      400,
      VDI.newSizeInvalid,
      `Invalid new_size ${String(newSize)}: it must be an integer larger than the current ${target.size} GB and at most 32768 GB.`,
    );
  }
  const size = newSize as number;
  return {
    volumes: 0,
    gigabytes: size - target.size,
    plan: {
      desktop,
      fail: null,
      onSuccess: () => {
        target.size = size;
      },
    },
  };
}
