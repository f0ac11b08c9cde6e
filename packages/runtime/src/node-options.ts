/** Which kind of deskgate process is started (they differ in young-generation size only). */
export type ServiceRole = "api" | "worker";

/**
 * The Node flags deskgate's processes run with, wherever they are started (Dockerfile and
 * compose, `./dg start`, bench, drills). V8 sizes its heap from the host's memory: on a 24 GB
 * machine an idle api sat at ~320 MiB RSS, mostly start-up garbage V8 never handed back, and
 * grew to ~400 MiB under load. A 256 MB old-generation cap (8× the ~30 MB live heap) and a small
 * young generation keep api and worker under 150 MB under load (bench/README.md): 4 MB for the
 * api, whose throughput lost to more frequent scavenges at 2 MB, 2 MB for the worker, which
 * allocates far less per second and saves ~8 MB with it.
 */
export function serviceNodeOptions(role: ServiceRole): string {
  return `--max-semi-space-size=${role === "worker" ? 2 : 4} --max-old-space-size=256`;
}

/**
 * The environment for starting a deskgate process: `serviceNodeOptions(role)` added to any
 * NODE_OPTIONS given; glibc limited to 2 malloc arenas (one per thread otherwise, each keeping
 * freed memory) with fixed thresholds, so large blocks and free memory at the top of the heap
 * go back to the system; and Node's compile cache in `compileCacheDir`, so the TypeScript
 * sources are stripped and compiled once, not at every start (faster starts, ~30 MB less RSS).
 */
export function serviceProcessEnv(
  env: NodeJS.ProcessEnv,
  compileCacheDir: string,
  role: ServiceRole = "api",
): NodeJS.ProcessEnv {
  return {
    ...env,
    NODE_OPTIONS: [env.NODE_OPTIONS, serviceNodeOptions(role)].filter(Boolean).join(" "),
    NODE_COMPILE_CACHE: env.NODE_COMPILE_CACHE ?? compileCacheDir,
    ...MALLOC_SETTINGS,
    ...pick(env, Object.keys(MALLOC_SETTINGS)),
  };
}

/** glibc malloc settings (environment variables) of every deskgate process. */
export const MALLOC_SETTINGS: Readonly<Record<string, string>> = Object.freeze({
  MALLOC_ARENA_MAX: "2",
  MALLOC_MMAP_THRESHOLD_: "131072",
  MALLOC_TRIM_THRESHOLD_: "131072",
});

function pick(env: NodeJS.ProcessEnv, names: string[]): Record<string, string> {
  return Object.fromEntries(names.flatMap((n) => (env[n] === undefined ? [] : [[n, env[n]!]])));
}
