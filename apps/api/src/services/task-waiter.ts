import { type Database, getTaskState, TASK_DONE_CHANNEL, TASK_PROGRESS_CHANNEL } from "@deskgate/db";
import type { Logger } from "@deskgate/runtime";

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

export function isTerminal(state: string): boolean {
  return TERMINAL.has(state);
}

export interface TaskWaiter {
  /**
   * Resolve true as soon as the task has ended (false after `timeoutMs`). Woken by the
   * NOTIFY that `finishTask` sends; the row is re-read after subscribing, so a task that
   * ended in between is not missed.
   */
  waitForEnd(taskId: string, timeoutMs: number): Promise<boolean>;
  /**
   * Resolve when the task ends, one of its callbacks settles an attempt (TASK_PROGRESS_CHANNEL),
   * or `timeoutMs` passes, whichever comes first (for watchers).
   */
  nudge(taskId: string, timeoutMs: number, changed?: () => Promise<boolean>): Promise<void>;
  close(): Promise<void>;
}

/**
 * One LISTEN connection per api process (postgres.js `sql.listen`, which re-subscribes after
 * a reconnect), dispatching each notification to the waiters of that task id.
 */
export function createTaskWaiter(database: Database, logger: Logger): TaskWaiter {
  const waiters = new Map<string, Set<() => void>>();
  let listening: Promise<{ unlisten(): Promise<void> }> | null = null;

  const dispatch = (taskId: string) => {
    for (const wake of waiters.get(taskId) ?? []) wake();
  };

  function subscribe() {
    // both channels on postgres.js's one listen connection
    listening ??= Promise.all([
      database.sql.listen(TASK_DONE_CHANNEL, dispatch),
      database.sql.listen(TASK_PROGRESS_CHANNEL, dispatch),
    ])
      .then((subscriptions) => ({
        unlisten: async () => {
          await Promise.all(subscriptions.map((s) => s.unlisten()));
        },
      }))
      .catch((error: unknown) => {
        listening = null;
        logger.warn({ err: error instanceof Error ? error.message : String(error) }, "task listener failed");
        throw error;
      });
    return listening;
  }

  function register(taskId: string, wake: () => void): () => void {
    let set = waiters.get(taskId);
    if (!set) {
      set = new Set();
      waiters.set(taskId, set);
    }
    set.add(wake);
    return () => {
      set.delete(wake);
      if (set.size === 0) waiters.delete(taskId);
    };
  }

  async function ended(taskId: string): Promise<boolean> {
    const row = await getTaskState(database.db, taskId);
    return !row || isTerminal(row.state);
  }

  async function sleepUntilWoken(taskId: string, timeoutMs: number, first: () => Promise<boolean>) {
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => {
      wake = resolve;
    });
    const unregister = register(taskId, wake);
    try {
      await subscribe();
      if (await first()) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        woken,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    } finally {
      unregister();
    }
  }

  return {
    async waitForEnd(taskId, timeoutMs) {
      if (timeoutMs <= 0) return ended(taskId);
      await sleepUntilWoken(taskId, timeoutMs, () => ended(taskId));
      return ended(taskId);
    },
    async nudge(taskId, timeoutMs, changed) {
      // `changed` is asked once the wake-up is registered: a NOTIFY sent after the caller's last
      // read but before then is not slept through
      await sleepUntilWoken(taskId, timeoutMs, changed ?? (async () => false));
    },
    async close() {
      const l = listening;
      listening = null;
      if (l) await (await l.catch(() => null))?.unlisten();
    },
  };
}
