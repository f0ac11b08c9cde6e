export type { ImageOsType, ProductOsType, SimImage, SimOs, SimProduct } from "./catalog.ts";
export { SIM_IMAGES, SIM_PRODUCTS, simConnection } from "./catalog.ts";
export type { HpcAccount, SimOptions } from "./options.ts";
export type { Listening, Sim } from "./sim.ts";
export { createSim } from "./sim.ts";
