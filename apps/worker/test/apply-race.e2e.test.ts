import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkerDeps } from "../src/deps.ts";
import { type Harness, startHarness } from "./support/harness.ts";

/**
 * A user of the allocated name made on the platform by someone else between deskgate's check and
 * its create (issue 17.10): the apply does not adopt it, takes the next name, and a rollback
 * deletes only what the task created. Real simulator over HTTP, real PostgreSQL.
 */
let h: Harness;
/** The name an outsider takes right after deskgate checked it (once). */
let stealNext: string | null = null;

beforeAll(async () => {
  h = await startHarness({
    wrapPlatform: (platform) => {
      const wrapped: WorkerDeps["platform"] = Object.create(platform);
      const checks = new Map<string, number>();
      wrapped.findUser = async (name) => {
        const found = await platform.findUser(name);
        checks.set(name, (checks.get(name) ?? 0) + 1);
        if (name === stealNext && checks.get(name) === 2) {
          // the create_user step's look: an outsider made it just before (after allocate's look)
          stealNext = null;
          await platform.createUser(name, "Outsider-Pass-2026!");
          return platform.findUser(name);
        }
        return found;
      };
      return wrapped;
    },
  });
});
afterAll(async () => {
  await h?.stop();
});

describe("a user made outside deskgate between the check and the create", () => {
  it("is not adopted: the apply takes the next name, and the outsider's user is untouched", async () => {
    stealNext = "race_01";
    const task = await h.run("desktop.apply", { username: "race", os: "win10" }, { callbackUrl: null });
    expect(task.state, task.error ?? "").toBe("succeeded");
    expect((task.result as { username: string }).username).toBe("race_02");
    const users = (await h.simState()).users.map((u) => u.user_name);
    expect(users).toEqual(expect.arrayContaining(["race_01", "race_02"]));
    const [mirror] = await h.database.sql`select created_by_task from vdi_users where username = 'race_01'`;
    expect(mirror).toBeUndefined(); // never recorded as this task's
  });

  it("a rollback after the race deletes the task's own user only", async () => {
    stealNext = "fail_01";
    await h.faults({ fail_next: { route: "POST /desktops", status: 400, code: "WKS.00010001", count: 1 } });
    const task = await h.run("desktop.apply", { username: "fail", os: "win10" }, { callbackUrl: null });
    expect(task.state).toBe("failed");
    const users = (await h.simState()).users.map((u) => u.user_name);
    expect(users).toContain("fail_01"); // the outsider's
    expect(users).not.toContain("fail_02"); // the task's own, rolled back
  });
});
