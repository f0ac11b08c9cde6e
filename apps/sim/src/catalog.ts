import { SIM_CREDENTIALS } from "./options.ts";
/** Seed data: the images and products (flavours) every simulator starts with (UPSTREAM-VDI 8.5). */

export type SimOs = "win7" | "win10" | "kylin" | "macos";
export type ImageOsType = "Windows" | "Linux" | "Other";
export type ProductOsType = "Windows" | "Linux";

export interface SimImage {
  image_id: string;
  os_type: ImageOsType;
}

export interface SimProduct {
  product_id: string;
  cpu: string;
  memory: string;
  os_type: ProductOsType;
}

export const SIM_IMAGES: Record<SimOs, SimImage> = {
  win7: { image_id: "00000000-0000-4000-8000-000000000007", os_type: "Windows" },
  win10: { image_id: "00000000-0000-4000-8000-000000000010", os_type: "Windows" },
  kylin: { image_id: "00000000-0000-4000-8000-000000000020", os_type: "Linux" },
  macos: { image_id: "00000000-0000-4000-8000-000000000030", os_type: "Other" },
};

const IMAGE_NAMES: Record<SimOs, { name: string; os_version: string }> = {
  win7: { name: "Windows 7 Enterprise 64bit (sim)", os_version: "Windows 7" },
  win10: { name: "Windows 10 Enterprise 64bit (sim)", os_version: "Windows 10" },
  kylin: { name: "Kylin V10 SP2 64bit (sim)", os_version: "Kylin V10" },
  macos: { name: "macOS 14 (sim)", os_version: "macOS 14" },
};

const SIZES: readonly [cpu: number, memoryGb: number][] = [
  [2, 4],
  [2, 8],
  [4, 8],
  [4, 16],
  [8, 16],
  [8, 32],
];

export const SIM_PRODUCTS: readonly SimProduct[] = (["Windows", "Linux"] as const).flatMap((os) =>
  SIZES.map(([cpu, gb]) => ({
    product_id: `workspace.x86.c${cpu}m${gb}.${os.toLowerCase()}`,
    cpu: String(cpu),
    memory: String(gb * 1024),
    os_type: os,
  })),
);

export function findProduct(productId: string): SimProduct | undefined {
  return SIM_PRODUCTS.find((p) => p.product_id === productId);
}

/** Every product can be resized to all the others of its os_type. */
export function resizeTargets(productId: string): SimProduct[] {
  const product = findProduct(productId);
  if (!product) return [];
  return SIM_PRODUCTS.filter((p) => p.os_type === product.os_type && p.product_id !== productId);
}

/** The product os_type an image accepts: macOS ("Other") runs on the Windows products. */
export function productOsFor(imageOs: ImageOsType): ProductOsType {
  return imageOs === "Linux" ? "Linux" : "Windows";
}

/** The products as `GET /products` shows them (ProductInfo). */
export function productView(p: SimProduct) {
  const gb = Number(p.memory) / 1024;
  return {
    product_id: p.product_id,
    flavor_id: `sim.c${p.cpu}m${gb}`,
    type: "BASE",
    architecture: "x86",
    cpu: p.cpu,
    memory: p.memory,
    is_gpu: false,
    system_disk_type: "SAS",
    system_disk_size: "80",
    descriptions: `CPU:${p.cpu}vCPUs,Memory:${gb}GB`,
    charge_mode: "1",
    status: "normal",
    package_type: "general",
    contain_data_disk: false,
    resource_type: "hws.resource.type.workspace.desktop",
    cloud_service_type: "hws.service.type.workspace",
  };
}

export interface ImageEntry extends SimImage {
  os: SimOs;
  name: string;
  os_version: string;
}

/** The images that exist for a given configuration (macOS only when enabled). */
export function availableImages(macos: boolean): ImageEntry[] {
  return (Object.keys(SIM_IMAGES) as SimOs[])
    .filter((os) => macos || os !== "macos")
    .map((os) => ({ os, ...SIM_IMAGES[os], ...IMAGE_NAMES[os] }));
}

export function imageView(image: ImageEntry) {
  return {
    id: image.image_id,
    name: image.name,
    image_type: "gold",
    os_type: image.os_type,
    os_version: image.os_version,
    architecture: "x86",
    disk_format: "zvhd2",
    min_disk: "80",
    min_ram: "0",
    product_code: "",
  };
}

/**
 * How a client reaches a simulator started with default options: the configuration values a
 * VDI adapter needs (base URL, project, token, os → image, default products). Data only —
 * the simulator shares no code with the adapters it tests.
 */
export function simConnection(
  baseUrl: string,
  credentials: { accessKey: string; secretKey: string } = SIM_CREDENTIALS,
) {
  return {
    baseUrl,
    projectId: "sim-project",
    // AK/SK signing, verified by the simulator on every call
    auth: { mode: "aksk" as const, accessKey: credentials.accessKey, secretKey: credentials.secretKey },
    images: Object.fromEntries(
      Object.entries(SIM_IMAGES).map(([os, image]) => [os, image.image_id]),
    ) as Record<SimOs, string>,
    products: { windows: "workspace.x86.c2m4.windows", linux: "workspace.x86.c2m4.linux" },
  };
}

/** The upstream URL policy that lets the adapter use the centre's answer (this simulator's own http://127.0.0.1 origin). */
export const SIM_URL_POLICY = { allowlist: "127.0.0.1/32", allowHttp: true } as const;
