import { availableImages, findProduct, type ImageEntry, productOsFor, type SimProduct } from "../catalog.ts";
import type { SimContext } from "../context.ts";
import { badRequest, VDI, vdiError } from "../errors.ts";
import {
  type Body,
  objectAt,
  oneOf,
  optArray,
  optBool,
  optString,
  readBody,
  reqObject,
  reqString,
} from "../http.ts";
import { uuid } from "../random.ts";
import type { RouteDef } from "../routes.ts";
import type { DesktopRecord, UserRecord } from "../state.ts";
import {
  autoComputerName,
  checkComputerName,
  checkVolumeSize,
  computerNameTaken,
  MAX_DATA_VOLUMES,
  VOLUME_TYPES,
} from "./desktop-rules.ts";
import { type SubJobPlan, startJob } from "./jobs.ts";
import { checkQuota } from "./quotas.ts";
import { findUserByName } from "./users.ts";
import { type DiskSpec, deviceName, volumeRecord } from "./volume-records.ts";

interface Assignment {
  user: UserRecord;
  userGroup: string;
  computerName: string;
}

/** `POST /desktops` (CreateDesktopReq): validate everything, create the records, start `createDesktops`. */
export function desktopCreateRoutes(ctx: SimContext): RouteDef[] {
  return [
    {
      method: "POST",
      path: "/desktops",
      handler: async (c) => {
        const desktops = createDesktops(ctx, await readBody(c));
        const plans = desktops.map((d) => createPlan(ctx, d));
        return c.json({ job_id: startJob(ctx, "createDesktops", plans).id });
      },
    },
  ];
}

function createDesktops(ctx: SimContext, body: Body): DesktopRecord[] {
  const desktopType = oneOf(
    reqString(body, "desktop_type"),
    ["DEDICATED", "SHARED"] as const,
    "desktop_type",
  );
  const { product, image, imageType } = readProductAndImage(ctx, body);
  const root = readDisk(reqObject(body, "root_volume"), "root_volume", 80);
  const list = optArray(body, "data_volumes") ?? [];
  const data = list.map((_, i) => readDisk(objectAt(list, i, "data_volumes"), `data_volumes[${i}]`));
  if (data.length > MAX_DATA_VOLUMES) {
    throw vdiError(
      400,
      VDI.tooManyDisks,
      `At most ${MAX_DATA_VOLUMES} data disks are allowed, got ${data.length}.`,
    );
  }
  optBool(body, "email_notification");
  const assignments = readAssignments(ctx, body, product);
  const n = assignments.length;
  checkQuota(ctx, {
    general_instances: n,
    cores: n * Number(product.cpu),
    Memory: (n * Number(product.memory)) / 1024,
    volumes: n * (1 + data.length),
    volume_gigabytes: n * data.reduce((sum, v) => sum + v.size, root.size),
  });
  return assignments.map(({ user, userGroup, computerName }) => {
    const desktop: DesktopRecord = {
      desktop_id: uuid(),
      sid: uuid(),
      computer_name: computerName,
      user_id: user.id,
      user_name: user.user_name,
      user_group: userGroup,
      desktop_type: desktopType,
      product_id: product.product_id,
      image_type: imageType,
      image_id: image.image_id,
      os_type: image.os_type,
      status: "",
      task_status: "scheduling",
      attach_state: "ATTACHING",
      ip_address: "",
      root_volume: volumeRecord(root, "/dev/vda", `${computerName}-system`),
      data_volumes: data.map((v, i) => volumeRecord(v, deviceName(i), `${computerName}-data-${i + 1}`)),
      created: new Date(),
      tags: [],
      busy: null,
    };
    ctx.state.desktops.set(desktop.desktop_id, desktop);
    return desktop;
  });
}

/** The product must exist and fit the image's OS (macOS, os_type Other, takes the Windows products). */
function readProductAndImage(
  ctx: SimContext,
  body: Body,
): { product: SimProduct; image: ImageEntry; imageType: string } {
  const productId = reqString(body, "product_id");
  const product = findProduct(productId);
  if (!product) throw vdiError(400, VDI.productInvalid, `The product does not exist: ${productId}.`);
  const imageType = oneOf(
    optString(body, "image_type") ?? "private",
    ["private", "gold"] as const,
    "image_type",
  );
  const imageId = reqString(body, "image_id");
  const image = availableImages(ctx.options.macos).find((i) => i.image_id === imageId);
  if (!image) throw badRequest(`Invalid parameter: image_id ${imageId} does not exist.`);
  if (productOsFor(image.os_type) !== product.os_type) {
    throw vdiError(
      400,
      VDI.productInvalid,
      `The product ${productId} (${product.os_type}) does not match the image's os_type ${image.os_type}.`,
    );
  }
  return { product, image, imageType };
}

function readDisk(body: Body, path: string, min = 10): DiskSpec {
  const type = oneOf(reqString(body, "type", `${path}.type`), VOLUME_TYPES, `${path}.type`);
  return { type, size: checkVolumeSize(body.size, `${path}.size`, min) };
}

/** `desktops[]`: existing users, a user group of the OS, and a unique computer name (given or generated). */
function readAssignments(ctx: SimContext, body: Body, product: SimProduct): Assignment[] {
  const entries = optArray(body, "desktops", "desktops", 100);
  if (!entries || entries.length === 0) {
    throw badRequest(
      "Invalid parameter: desktops is required (the simulator does not model unassigned desktops).",
    );
  }
  const groups =
    product.os_type === "Linux" ? (["sudo", "default"] as const) : (["administrators", "users"] as const);
  const reserved = new Set<string>();
  return entries.map((_, i) => {
    const entry = objectAt(entries, i, "desktops");
    const path = `desktops[${i}]`;
    const userName = reqString(entry, "user_name", `${path}.user_name`);
    const user = findUserByName(ctx, userName);
    if (!user) throw vdiError(400, VDI.userNotFound, `The user does not exist: ${userName}.`);
    const userGroup = oneOf(optString(entry, "user_group") ?? groups[1], groups, `${path}.user_group`);
    const given = optString(entry, "computer_name", `${path}.computer_name`);
    if (given !== undefined) {
      checkComputerName(given, user.user_name, `${path}.computer_name`);
      if (computerNameTaken(ctx, given, reserved)) {
        throw vdiError(409, VDI.computerNameTaken, `The computer name already exists: ${given}.`);
      }
    }
    const computerName = given ?? autoComputerName(ctx, user.user_name, reserved);
    reserved.add(computerName.toLowerCase());
    return { user, userGroup, computerName };
  });
}

/** The life of one desktop's creation; `job_fail_rate` decides its outcome now, at accept. */
export function createPlan(ctx: SimContext, desktop: DesktopRecord): SubJobPlan {
  const fails = ctx.faults.draw(ctx.faults.config.job_fail_rate);
  if (fails) ctx.stats.faults_injected += 1;
  return {
    desktop,
    fail: fails ? { code: VDI.jobNoIp, reason: "Desktops cannot obtain valid IP addresses." } : null,
    onRunning: () => {
      desktop.task_status = "spawning";
    },
    onSuccess: (sub) => {
      const n = ctx.state.counters.ip++;
      desktop.ip_address = `10.0.${Math.floor(n / 250)}.${(n % 250) + 2}`;
      desktop.status = "ACTIVE";
      desktop.task_status = "";
      desktop.attach_state = "ATTACHED";
      sub.ip_address = desktop.ip_address;
    },
    onFailure: () => {
      desktop.status = "ERROR";
      desktop.task_status = "";
      desktop.attach_state = "ATTACHFAIL";
    },
  };
}
