import { SIM_CREDENTIALS } from "./options.ts";
import { createSim } from "./sim.ts";

/** `pnpm start`: the simulator as a process, configured by environment variables. */
function intEnv(name: string, fallback: number | undefined, min: number, max: number): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`deskgate simulator: ${name} must be an integer in ${min}..${max}, got "${raw}"`);
    process.exit(1);
  }
  return value;
}

const port = intEnv("PORT", 8090, 0, 65535)!;
const host = process.env.SIM_HOST || "127.0.0.1";
const sim = createSim({
  jobPhaseMs: intEnv("SIM_JOB_PHASE_MS", undefined, 1, 3_600_000),
  seed: intEnv("SIM_SEED", undefined, 0, 2 ** 32 - 1),
  projectId: process.env.SIM_PROJECT_ID || undefined,
  authToken: process.env.SIM_AUTH_TOKEN ?? undefined,
  accessKey: process.env.SIM_ACCESS_KEY || undefined,
  secretKey: process.env.SIM_SECRET_KEY || undefined,
  securityToken: process.env.SIM_SECURITY_TOKEN || undefined,
  iamUsers: process.env.SIM_IAM_PASSWORD
    ? [
        {
          domain: process.env.SIM_IAM_DOMAIN || SIM_CREDENTIALS.iamUser.domain,
          user: process.env.SIM_IAM_USER || SIM_CREDENTIALS.iamUser.user,
          password: process.env.SIM_IAM_PASSWORD,
        },
      ]
    : undefined,
  iamTokenTtlMs: intEnv("SIM_IAM_TOKEN_TTL_MS", undefined, 1, 7 * 86_400_000),
});

const server = await sim.listen(port, host);
console.log(`deskgate simulator listening on ${server.url}`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  server.close().then(
    () => process.exit(0),
    () => process.exit(0),
  );
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
