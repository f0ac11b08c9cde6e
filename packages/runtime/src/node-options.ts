/**
 * The Node flags deskgate's processes run with, wherever they are started (Dockerfile,
 * `./dg start`, bench, drills). V8 sizes its heap from the host's memory: on a 24 GB machine
 * an idle api sat at ~320 MiB RSS, mostly start-up garbage V8 never handed back, and grew
 * to ~400 MiB under load. With a 4 MB young generation and a 256 MB old-generation cap (8×
 * the ~30 MB live heap of api and worker) they stay near 140 MiB under load, with no
 * throughput lost that `pnpm bench` can see (bench/README.md).
 */
export const SERVICE_NODE_OPTIONS = "--max-semi-space-size=4 --max-old-space-size=256";

/**
 * The environment for starting a deskgate process: `SERVICE_NODE_OPTIONS` added to any
 * NODE_OPTIONS given; glibc limited to 2 malloc arenas (one per thread otherwise, each
 * keeping freed memory: ~10 MiB of RSS); and Node's compile cache in `compileCacheDir`, so
 * the TypeScript sources are stripped and compiled once, not at every start (faster starts,
 * ~30 MB less RSS).
 */
export function serviceProcessEnv(env: NodeJS.ProcessEnv, compileCacheDir: string): NodeJS.ProcessEnv {
  return {
    ...env,
    NODE_OPTIONS: [env.NODE_OPTIONS, SERVICE_NODE_OPTIONS].filter(Boolean).join(" "),
    NODE_COMPILE_CACHE: env.NODE_COMPILE_CACHE ?? compileCacheDir,
    MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? "2",
  };
}
