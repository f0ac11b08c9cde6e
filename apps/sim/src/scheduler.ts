/** Owns every timer behind simulated jobs, so `reset()` and `close()` can cancel them all. */
export class Scheduler {
  readonly #timers = new Set<NodeJS.Timeout>();

  after(ms: number, task: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      try {
        task();
      } catch (error) {
        console.error("simulator: scheduled task failed", error);
      }
    }, ms);
    timer.unref();
    this.#timers.add(timer);
  }

  /** Cancels everything scheduled. */
  clear(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  get pending(): number {
    return this.#timers.size;
  }
}

/** Resolves after `ms`, or early with `false` when `signal` aborts; never leaves a timer behind. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Resolves only when `signal` aborts (the client went away). Holds no timer. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
