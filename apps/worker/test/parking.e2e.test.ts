import { randomUUID } from "node:crypto";
import { enqueue, getTask, getWait, insertTask, saveProgress } from "@deskgate/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness.ts";

/**
 * Waiting for a platform job holds no worker slot: the task parks (task_waits), the wait
 * watcher checks every parked job in one batched call and resumes the task when its job ends.
 * One slot, desktops that take ~1 s: five applies still build at the same time.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    sim: { jobPhaseMs: 400 },
    overrides: {
      settings: { pollIntervalMs: 50, jobTimeoutMs: 30_000, concurrency: 1, reconcileCron: null },
    },
  });
});
afterAll(async () => {
  await h?.stop();
});

const calls = async (route: string) => (await h.simState()).stats.by_route[route] ?? 0;

describe("parking on platform jobs", () => {
  it("five applies on one slot build their desktops at the same time; one wait step each; no wait left", async () => {
    const ids = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        h.submit("desktop.apply", { username: `park${i}`, os: "win10" }, { callbackUrl: null }),
      ),
    );
    // All five platform jobs are pending at once while the single slot is free for the others.
    let most = 0;
    for (let t = Date.now(); Date.now() - t < 20_000 && most < 5; ) {
      const state = (await h.simState()) as unknown as { jobs: { job_type: string; status: string }[] };
      most = Math.max(
        most,
        state.jobs.filter((j) => j.job_type === "createDesktops" && ["WAITING", "RUNNING"].includes(j.status))
          .length,
      );
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(most).toBe(5);
    for (const id of ids) {
      const task = await h.waitTask(id);
      expect(task.state, task.error ?? "").toBe("succeeded");
      const steps = await h.steps(id);
      expect(steps.map((s) => s.name)).toEqual([
        "resolve_user",
        "allocate_username",
        "create_user",
        "create_desktop",
        "wait_desktop",
      ]);
      expect(steps.every((s) => s.outcome === "ok")).toBe(true);
      expect(await getWait(h.database.db, id)).toBeUndefined();
      expect((await getTask(h.database.db, id))!.resumeToken).not.toBeNull();
    }
    // the batched check: one list call per status per pass, not one job poll per task per interval
    expect(await calls("GET /v2/{p}/workspace-sub-jobs")).toBeGreaterThan(0);
  });

  it("a job of the task carrying an old resume token (an earlier run's, redelivered) does nothing", async () => {
    const id = await h.submit("desktop.apply", { username: "parkold", os: "win10" }, { callbackUrl: null });
    const task = await h.waitTask(id);
    expect(task.state).toBe("succeeded");
    // Re-open the task as if it were parked again, then deliver the pre-park job once more.
    await h.database.sql`update tasks set state = 'running', finished_at = null where id = ${id}`;
    const attempts = (await getTask(h.database.db, id))!.attempts;
    await h.database.db.transaction((tx) => enqueue(h.boss, tx, "desktop.apply", { task_id: id }));
    await new Promise((r) => setTimeout(r, 500));
    const after = await getTask(h.database.db, id);
    expect(after!.attempts).toBe(attempts);
    expect(after!.state).toBe("running");
    await h.database.sql`update tasks set state = 'succeeded', finished_at = now() where id = ${id}`;
  });

  it("the job timeout counts from the first park: a job that outlasts it fails the task", async () => {
    const slow = await startHarness({
      sim: { jobPhaseMs: 60_000 },
      overrides: {
        settings: { pollIntervalMs: 50, jobTimeoutMs: 1_500, concurrency: 1, reconcileCron: null },
      },
    });
    try {
      const id = await slow.submit(
        "desktop.apply",
        { username: "parkslow", os: "win10" },
        { callbackUrl: null },
      );
      // The desktop job takes minutes; the wait gives up 1.5 s after the first park. (The
      // rollback that follows cannot delete a desktop still being built: it is retried.)
      let wait: { outcome: string; detail: string | null } | undefined;
      for (let t = Date.now(); !wait && Date.now() - t < 15_000; ) {
        wait = (await slow.steps(id)).find((s) => s.name === "wait_desktop" && s.outcome === "failed");
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(wait?.detail).toMatch(/did not finish within 1500 ms/);
      const first = (await slow.steps(id)).find((s) => s.name === "wait_desktop")!;
      expect(first.endedAt!.getTime() - first.startedAt.getTime()).toBeGreaterThanOrEqual(1500);
    } finally {
      await slow.stop();
    }
  });

  it("a rebuild parks too, and is resumed by the same batched watcher", async () => {
    const d = await h.makeDesktop();
    const id = randomUUID();
    await h.database.db.transaction(async (tx) => {
      await insertTask(tx, {
        id,
        kind: "desktop.rebuild",
        request: { desktop_uuid: d.desktop_uuid },
        callbackUrl: null,
      });
      await saveProgress(tx, id, {});
      await enqueue(h.boss, tx, "desktop.rebuild", { task_id: id });
    });
    let parked = false;
    for (let t = Date.now(); !parked && Date.now() - t < 10_000; ) {
      parked = (await getWait(h.database.db, id)) !== undefined;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(parked).toBe(true);
    const task = await h.waitTask(id);
    expect(task.state, task.error ?? "").toBe("succeeded");
    expect((await h.steps(id)).map((s) => [s.name, s.outcome])).toEqual([
      ["rebuild", "ok"],
      ["wait_rebuild", "ok"],
      ["check_desktop", "ok"],
    ]);
  });
});
