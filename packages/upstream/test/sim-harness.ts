import { createSim, randomSimCredentials, type SimOptions, simConnection } from "@deskgate/sim";
import type { ConformanceFault, ConformanceHarness, ConformanceOptions } from "../conformance/index.ts";
import { createWorkspacePlatform, type WorkspaceOptions } from "../src/index.ts";

export const SIM_OS_IMAGES: WorkspaceOptions["images"] = simConnection("").images;

/** The simulator's control surface (`/_sim/*`), for tests. */
export function simControl(url: string) {
  const post = async (path: string, body: unknown) => {
    const res = await fetch(url + path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  };
  return {
    faults: (body: Record<string, unknown>) => post("/_sim/faults", body),
    // biome-ignore lint/suspicious/noExplicitAny: the state is arbitrary JSON, read field by field.
    state: async (): Promise<any> => (await fetch(`${url}/_sim/state`)).json(),
  };
}

/** A conformance fault as the simulator plays it. */
export function simFault(f: ConformanceFault): Record<string, unknown> {
  const forever = 1_000_000;
  switch (f.kind) {
    case "server_error":
      return { fail_next: { status: 500, count: f.count ?? forever } };
    case "throttle":
      return { fail_next: { status: 429, count: f.count ?? forever } };
    case "not_found":
      return { fail_next: { status: 404, count: f.count ?? forever } };
    case "timeout":
      return { timeout_rate: 1 };
    case "rate_limit":
      return { rate_limit_per_s: f.perSecond };
    default: {
      const never: never = f;
      throw new Error(`unknown fault ${JSON.stringify(never)}`);
    }
  }
}

/** The Workspace adapter against a fresh in-process simulator, tuned for tests. */
export async function workspaceOnSim(
  options: ConformanceOptions & Partial<WorkspaceOptions> = {},
  sim: SimOptions = {},
): Promise<
  ConformanceHarness & {
    url: string;
    /** What a second adapter on this simulator needs (its AK/SK included). */
    connection: ReturnType<typeof simConnection>;
    platform: ReturnType<typeof createWorkspacePlatform>;
  }
> {
  const credentials = randomSimCredentials();
  const server = await createSim({ jobPhaseMs: 10, ...credentials, ...sim }).listen(0);
  const control = simControl(server.url);
  const platform = createWorkspacePlatform({
    ...simConnection(server.url, credentials),
    requestTimeoutMs: 1000,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    canSetPassword: sim.setPasswordExtension ?? true,
    ...options,
  });
  return {
    url: server.url,
    connection: simConnection(server.url, credentials),
    platform,
    faults: { inject: (f) => control.faults(simFault(f)), clear: () => control.faults({}) },
    async stats() {
      const { stats } = await control.state();
      return { requests: stats.requests, throttled: stats.throttled };
    },
    async teardown() {
      await platform.close();
      await server.close();
    },
  };
}
