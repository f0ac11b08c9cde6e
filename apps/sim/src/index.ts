export type { ImageOsType, ProductOsType, SimImage, SimOs, SimProduct } from "./catalog.ts";
export { SIM_IMAGES, SIM_PRODUCTS, SIM_URL_POLICY, simConnection } from "./catalog.ts";
export type { HpcAccount, IamUser, SimOptions } from "./options.ts";
export { randomSimCredentials, SIM_CREDENTIALS } from "./options.ts";
export type { Listening, Sim } from "./sim.ts";
export { createSim } from "./sim.ts";
