import type { Database, Executor } from "@deskgate/db";

/**
 * How a task's bookkeeping (progress, step records, mirror rows) reaches the database.
 * `write` may hold a write back, `now` runs one at once after whatever is held, `flush`
 * commits what is held.
 */
export interface TaskWrites {
  write(op: (db: Executor) => Promise<unknown>): Promise<void>;
  now<T>(op: (db: Executor) => Promise<T>): Promise<T>;
  flush(): Promise<void>;
}

/** Every write at once, each in its own statement (outside a task run: reconcile, tests). */
export function immediateWrites(db: Executor): TaskWrites {
  return {
    write: async (op) => {
      await op(db);
    },
    now: (op) => op(db),
    flush: async () => {},
  };
}

/**
 * Write-behind for one task run: writes are held until the task next talks to an upstream
 * (`flushedBeforeCalls`), needs a value from the database (`now`), or ends, and then commit
 * together, in order, in one transaction. What the crash-safety rules need is kept: every
 * write made before an upstream call is committed before that call goes out, so a re-run
 * after a crash still finds all it needs; what a crash loses is only what no upstream call
 * depended on, and a re-run repeats it. An apply commits ~8 times instead of ~26.
 */
export function heldWrites(database: Database): TaskWrites {
  let held: ((db: Executor) => Promise<unknown>)[] = [];
  const commit = async <T>(last?: (db: Executor) => Promise<T>): Promise<T | undefined> => {
    const ops = held;
    held = [];
    if (ops.length === 0) return last?.(database.db);
    // one statement alone needs no BEGIN / COMMIT around it (two round trips saved)
    if (ops.length === 1 && !last) {
      await ops[0]!(database.db);
      return undefined;
    }
    return database.db.transaction(async (tx) => {
      for (const op of ops) await op(tx);
      return last?.(tx);
    });
  };
  return {
    write: async (op) => {
      held.push(op);
    },
    now: async (op) => (await commit(op)) as Awaited<ReturnType<typeof op>>,
    flush: async () => {
      await commit();
    },
  };
}

/** The platform client with `writes` flushed before each of its calls. */
export function flushedBeforeCalls<T extends object>(client: T, writes: TaskWrites): T {
  return new Proxy(client, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        await writes.flush();
        return value.apply(target, args);
      };
    },
  });
}

/** The writes of the task run `deps` belong to, or immediate ones outside a task run. */
export function writesOf(deps: { database: Database; writes?: TaskWrites }): TaskWrites {
  return deps.writes ?? immediateWrites(deps.database.db);
}
