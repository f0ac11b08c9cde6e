import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

describe("main.ts", () => {
  it("listens, prints its URL and exits 0 on SIGTERM", async () => {
    const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
    const child = spawn(process.execPath, [main], {
      env: { ...process.env, PORT: "0", SIM_JOB_PHASE_MS: "10", SIM_SEED: "3" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const [line] = (await once(child.stdout, "data")) as [Buffer];
    const match = /^deskgate simulator listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(line.toString());
    expect(match).not.toBeNull();
    const res = await fetch(`${match![1]}/v2/sim-project/images`, {
      headers: { "X-Auth-Token": "sim-token" },
    });
    expect(res.status).toBe(200);
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
  });
});
