/** Reading what a receiver answered: a bounded body prefix and `Retry-After`. */

export const RESPONSE_PREFIX_BYTES = 4096;

/**
 * Reads at most about `maxBytes` of a body, then stops (leaving the loop destroys the stream, so a
 * huge or endless body costs nothing more). A body that fails mid-way keeps what arrived.
 */
export async function readBodyPrefix(body: AsyncIterable<Uint8Array>, maxBytes: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      size += chunk.byteLength;
      if (size >= maxBytes) break;
    }
  } catch {
    // The prefix is evidence only; the status code already decided the attempt.
  }
  return utf8Prefix(Buffer.concat(chunks), maxBytes);
}

/**
 * Decodes as UTF-8 and cuts at a character boundary so the result is at most `maxBytes` bytes.
 * NUL becomes U+FFFD: PostgreSQL `text` cannot store it.
 */
export function utf8Prefix(bytes: Uint8Array, maxBytes: number): string {
  const text = new TextDecoder().decode(bytes).replaceAll("\u0000", "\uFFFD");
  const encoded = Buffer.from(text, "utf8");
  if (encoded.byteLength <= maxBytes) return text;
  let end = maxBytes;
  while (end > 0 && ((encoded[end] ?? 0) & 0xc0) === 0x80) end--;
  return encoded.subarray(0, end).toString("utf8");
}

/**
 * `Retry-After` as whole seconds from `now`: delay-seconds, or an HTTP date (measured against the
 * response's own `Date` header when it has one, which cancels clock skew). `null` if absent/bad.
 */
export function parseRetryAfter(value: string | undefined, now: Date, responseDate?: string): number | null {
  const text = value?.trim();
  if (text === undefined || text === "") return null;
  if (/^\d+$/.test(text)) return Number(text);
  if (!/[a-z]/i.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  const serverNow = responseDate === undefined ? Number.NaN : Date.parse(responseDate);
  const base = Number.isNaN(serverNow) ? now.getTime() : serverNow;
  return Math.max(0, Math.ceil((at - base) / 1000));
}
