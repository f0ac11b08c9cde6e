/**
 * Builds the installable @deskgate/client into dist/ (`pnpm --filter @deskgate/client build`;
 * `pnpm pack` runs it first):
 *
 *   dist/index.js     the client, as JavaScript
 *   dist/index.d.ts   its declarations, with `AppRouter` from ./router.js
 *   dist/router.d.ts  the router's declarations alone: every procedure's input and output,
 *                     written out in full by tsc (they are inferred from the contracts' zod
 *                     schemas), with the server's request context erased to `object`
 *
 * One `tsc` (the workspace's) emits src/index.ts and apps/api/src/trpc/router.ts into a scratch
 * directory; this takes the three files above from it. The server's code and types stay behind.
 * The result is checked: dist may import only @trpc/client, @trpc/server, eventsource and
 * ./router.js, else the build fails naming what else it found (e.g. a procedure whose output is
 * a named server type that tsc could not write out: give it an `.output()` schema).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

const pkg = resolve(import.meta.dirname, "..");
const root = resolve(pkg, "../..");
const dist = join(pkg, "dist");
const ALLOWED = new Set(["@trpc/client", "@trpc/server", "eventsource", "./router.js"]);

const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin/tsc");
const out = mkdtempSync(join(tmpdir(), "deskgate-client-build-"));
try {
  execFileSync(process.execPath, [tsc, "-p", join(pkg, "tsconfig.build.json"), "--outDir", out], {
    cwd: pkg,
    stdio: "inherit",
  });
  const emitted = (path: string) => readFileSync(join(out, path), "utf8");

  const index = emitted("packages/client/src/index.d.ts");
  const router = emitted("apps/api/src/trpc/router.d.ts");
  const files = {
    "index.js": emitted("packages/client/src/index.js"),
    "index.d.ts": replaceAll(
      index,
      /(from\s+)"@deskgate\/api"/g,
      '$1"./router.js"',
      "the @deskgate/api import",
    ),
    // The root config's `ctx` (TrpcContext: the api's deps) is server-side only; a client reads
    // `errorShape` and `transformer` of it, never `ctx`.
    "router.d.ts": replaceAll(router, /\bctx: import\("[^"]+"\)\.\w+;/g, "ctx: object;", "the router's ctx"),
  };

  const offending = Object.entries(files).flatMap(([name, text]) =>
    specifiers(text)
      .filter((s) => !ALLOWED.has(s))
      .map((s) => `${name}: "${s}"`),
  );
  if (offending.length > 0) {
    throw new Error(
      `@deskgate/client build: dist may import only ${[...ALLOWED].join(", ")}; found:\n  ` +
        `${[...new Set(offending)].join("\n  ")}`,
    );
  }
  if (!/export type AppRouter = typeof appRouter;/.test(files["router.d.ts"])) {
    throw new Error("@deskgate/client build: router.d.ts does not export the AppRouter type");
  }

  rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dist, name), text);
  const size = readdirSync(dist).map(
    (f) => `${f} ${Math.round(readFileSync(join(dist, f)).length / 1024)} kB`,
  );
  console.log(`@deskgate/client: built ${relative(dist)} (${size.join(", ")})`);
} finally {
  rmSync(out, { recursive: true, force: true });
}

function replaceAll(text: string, pattern: RegExp, by: string, what: string): string {
  if (!pattern.test(text)) throw new Error(`@deskgate/client build: ${what} was not found in tsc's output`);
  return text.replace(pattern, by);
}

/** Every module a declaration or script file refers to (import/export … from, import(), require). */
function specifiers(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/\bfrom\s+["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)/g)) {
    found.push((m[1] ?? m[2])!);
  }
  for (const m of text.matchAll(/^\s*import\s+["']([^"']+)["']/gm)) found.push(m[1]!);
  for (const m of text.matchAll(/\/\/\/\s*<reference\s+(?:path|types)=["']([^"']+)["']/g)) found.push(m[1]!);
  return found;
}

function relative(path: string): string {
  return path.slice(root.length + 1);
}
