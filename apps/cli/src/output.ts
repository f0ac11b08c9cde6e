/** Human tables by default, JSON for scripts (`--json`). Secrets never reach either. */
export interface Output {
  json: boolean;
  print(rows: Record<string, unknown>[] | Record<string, unknown>, columns?: string[]): void;
  line(text: string): void;
}

export function createOutput(
  json: boolean,
  write: (s: string) => void = (s) => process.stdout.write(s),
): Output {
  return {
    json,
    line: (text) => write(`${text}\n`),
    print(rows, columns) {
      if (json) return write(`${JSON.stringify(rows, null, 2)}\n`);
      if (!Array.isArray(rows)) {
        const width = Math.max(...Object.keys(rows).map((k) => k.length));
        for (const [k, v] of Object.entries(rows)) write(`${k.padEnd(width)}  ${show(v)}\n`);
        return;
      }
      if (rows.length === 0) return write("(none)\n");
      const cols = columns ?? Object.keys(rows[0]!);
      const cells = rows.map((r) => cols.map((c) => show(r[c])));
      const widths = cols.map((c, i) =>
        Math.min(60, Math.max(header(c).length, ...cells.map((row) => row[i]!.length))),
      );
      const fmt = (values: string[]) =>
        values
          .map((v, i) => v.slice(0, widths[i]).padEnd(widths[i]!))
          .join("  ")
          .trimEnd();
      write(`${fmt(cols.map(header))}\n`);
      for (const row of cells) write(`${fmt(row)}\n`);
    },
  };
}

function show(value: unknown): string {
  if (value === null || value === undefined) return "-";
  if (value instanceof Date) return value.toISOString().replace("T", " ").slice(0, 19);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** A column's header in words: desktopUuid → DESKTOP UUID, rate-limit → RATE LIMIT. */
export function header(column: string): string {
  return column
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .toUpperCase();
}
