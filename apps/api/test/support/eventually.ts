/**
 * Re-check `probe` until it returns a value (not undefined) or `timeoutMs` passes. For state
 * that another process writes just after the event the test waited for (e.g. a delivery row
 * marked delivered right after the receiver answered).
 */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An envelope as tests read it. */
export interface Env {
  data: { task_id: string } & Record<string, unknown>;
  message: string;
  status: string | number;
}

export const envelopeOf = async (res: Response): Promise<Env> => (await res.json()) as Env;
