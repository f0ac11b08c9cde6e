/**
 * The simulator as a process, as `apps/sim/src/main.ts` runs it, but with the platform quotas
 * raised: the seeded quotas (100 desktops, 400 cores, 3000 users) would turn most of a
 * 10 000-apply drain into quota failures. Everything else is the stock simulator.
 * Env: PORT, SIM_JOB_PHASE_MS, SIM_ACCESS_KEY / SIM_SECRET_KEY (the AK/SK it verifies).
 */
import { createSim } from "@deskgate/sim";
import { DEFAULT_QUOTAS } from "../../apps/sim/src/state.ts";

const big = 10_000_000;
Object.assign(DEFAULT_QUOTAS, {
  general_instances: big,
  cores: big,
  Memory: big,
  volumes: big,
  volume_gigabytes: big * 100,
  users: big,
});
const sim = createSim({
  jobPhaseMs: Number(process.env.SIM_JOB_PHASE_MS ?? 1),
  accessKey: process.env.SIM_ACCESS_KEY || undefined,
  secretKey: process.env.SIM_SECRET_KEY || undefined,
});
sim.reset(); // state created from the raised quotas
const server = await sim.listen(Number(process.env.PORT ?? 0), "127.0.0.1");
console.log(`bench simulator listening on ${server.url}`);
const stop = () => server.close().finally(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
