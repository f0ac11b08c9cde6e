import { getTask } from "@deskgate/db";
import { UpstreamError } from "@deskgate/upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TaskFailure } from "../src/failure.ts";
import { runTaskJob } from "../src/jobs/run-task.ts";
import { type Harness, startHarness } from "./support/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ work: false });
});
afterAll(async () => {
  await h?.stop();
});

/** A task whose run fails for good and whose rollback meets a platform outage. */
const failing = {
  run: async () => {
    throw new TaskFailure("quota exceeded");
  },
  rollback: async () => {
    throw new UpstreamError({ message: "platform unavailable", transient: true, reason: "unavailable" });
  },
};

describe("a task whose rollback fails", () => {
  it("is retried while tries remain (the next run finishes the rollback)", async () => {
    const id = await h.submit("desktop.policy_update", { desktop_uuid: "d-1" }, { callbackUrl: null });
    await expect(
      runTaskJob(h.deps, "desktop.policy_update", { data: { task_id: id }, retryCount: 0 }, failing),
    ).rejects.toThrow("platform unavailable");
    const task = await getTask(h.database.db, id);
    expect(task?.state).toBe("running");
    expect(task?.progress).toMatchObject({ failure: "quota exceeded" });
  });

  it("on the last try still ends, failed, saying the rollback is incomplete", async () => {
    const id = await h.submit("desktop.policy_update", { desktop_uuid: "d-2" }, { callbackUrl: null });
    await runTaskJob(h.deps, "desktop.policy_update", { data: { task_id: id }, retryCount: 99 }, failing);
    const task = await getTask(h.database.db, id);
    expect(task?.state).toBe("failed");
    expect(task?.error).toBe(
      "quota exceeded; rollback incomplete (platform unavailable); what it made may remain upstream",
    );
  });
});
