import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReceiver } from "../../../apps/api/test/support/receiver.ts";
import { type Stack, startStack } from "../../../apps/api/test/support/stack.ts";

/**
 * The package as another app gets it: `pnpm pack` (which builds dist/), the tarball installed
 * with npm into a scratch project outside the workspace next to its peers and a stock
 * TypeScript 5, a consumer type-checked with plain `tsc --strict --module nodenext`, then run
 * with node against a running deskgate (real PostgreSQL, simulator, worker).
 */
const pkgDir = resolve(import.meta.dirname, "..");
const workspace = resolve(pkgDir, "../..");
const pkg = JSON.parse(await readFile(join(pkgDir, "package.json"), "utf8")) as {
  devDependencies: Record<string, string>;
};
/** The consumer's stock TypeScript (the workspace itself runs typescript 7). */
const CONSUMER_TYPESCRIPT = "5.9.3";
/** The peers at the versions the workspace builds and tests the client with. */
const PEERS = ["@trpc/client", "@trpc/server"].map((name) => `${name}@${pkg.devDependencies[name]}`);

const run = promisify(execFile);
/** npm and pnpm children without the `npm_*` settings pnpm puts in this process's environment. */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));

let stack: Stack;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "deskgate-client-consumer-"));
  if (scratch.startsWith(`${workspace}/`))
    throw new Error(`the scratch project ${scratch} is inside the workspace`);
  [stack, receiver] = await Promise.all([startStack(), startReceiver()]);
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe("@deskgate/client from its packed tarball", () => {
  it("installs outside the workspace, type-checks with stock tsc and calls a running deskgate", async () => {
    await run("pnpm", ["pack", "--pack-destination", scratch], { cwd: pkgDir, env });
    const tarball = (await readdir(scratch)).find((f) => f.endsWith(".tgz"));
    expect(tarball).toMatch(/^deskgate-client-[\d.]+\.tgz$/);

    const listing = await run("tar", ["tzf", join(scratch, tarball!)]);
    expect(listing.stdout.split("\n").filter(Boolean).sort()).toEqual([
      "package/dist/index.d.ts",
      "package/dist/index.js",
      "package/dist/router.d.ts",
      "package/package.json",
    ]);
    const manifest = JSON.parse(
      (await run("tar", ["xzf", join(scratch, tarball!), "-O", "package/package.json"])).stdout,
    );
    expect(manifest.private).toBeUndefined();
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(["@trpc/client", "@trpc/server"]);
    expect(Object.keys(manifest.dependencies)).toEqual(["eventsource"]);

    const app = join(scratch, "app");
    await mkdir(app);
    await writeFile(
      join(app, "package.json"),
      JSON.stringify({ name: "app", private: true, type: "module" }),
    );
    await run(
      "npm",
      [
        "install",
        "--save-exact",
        "--no-fund",
        "--no-audit",
        "--loglevel=error",
        join(scratch, tarball!),
        ...PEERS,
        `typescript@${CONSUMER_TYPESCRIPT}`,
      ],
      { cwd: app, env },
    );

    // nothing of the server or the workspace ships: no @deskgate/* import, no .ts source
    for (const file of ["index.js", "index.d.ts", "router.d.ts"]) {
      const text = await readFile(join(app, "node_modules/@deskgate/client/dist", file), "utf8");
      expect(text, file).not.toMatch(/@deskgate\/|\.ts["']/);
    }

    // The api's own REST message for the same bad body: the tRPC error must carry it.
    const bad = { username: "packed", os: "dos", callback_url: receiver.url };
    const rest = (await (await stack.post("/api/desktop/apply", bad)).json()) as { message: string };
    expect(rest.message).toMatch(/^os: /);

    await writeFile(join(app, "consumer.ts"), consumer(stack.apiUrl, stack.keys.admin, receiver.url));
    // stock settings: only what the issue names; no skipLibCheck, no @types/node
    const flags = ["--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--noEmit"];
    const tsc = await run(
      process.execPath,
      [join(app, "node_modules/typescript/bin/tsc"), ...flags, "consumer.ts"],
      { cwd: app, env },
    ).catch((e: { stdout?: string; stderr?: string }) => {
      throw new Error(`tsc reported errors in the consumer:\n${e.stdout}${e.stderr}`);
    });
    expect(tsc.stdout).toBe("");

    const { stdout } = await run(process.execPath, ["consumer.ts"], { cwd: app, env, timeout: 30_000 });
    const out = JSON.parse(stdout.trim().split("\n").at(-1)!);
    expect(out.opened).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.watched.at(-1)).toBe("succeeded");
    expect(out.task).toMatchObject({ task_id: out.opened, kind: "desktop.apply", state: "succeeded" });
    expect(out.desktops).toBe(1);
    expect(out.badInput).toEqual({
      isTRPCClientError: true,
      sameClass: true,
      code: "BAD_REQUEST",
      httpStatus: 400,
      message: rest.message,
      hasStack: false,
    });
    expect(out.missing).toMatchObject({ code: "BAD_REQUEST", message: "callback_url: is required" });
    expect(out.unknownTask).toMatchObject({ code: "NOT_FOUND", hasStack: false });
    expect(out.badKey).toMatchObject({ code: "UNAUTHORIZED", httpStatus: 401 });
  }, 180_000);
});

/**
 * An app's code using the client: a mutation, the SSE subscription, queries, and failures
 * checked with `instanceof TRPCClientError`. The `@ts-expect-error` lines prove the inputs are
 * typed (an untyped client would make them unused directives, which tsc reports).
 */
function consumer(url: string, apiKey: string, callbackUrl: string): string {
  return `import { createDeskgateClient, type DeskgateClientError, type RouterOutputs } from "@deskgate/client";
import { TRPCClientError } from "@trpc/client";

type TaskView = RouterOutputs["tasks"]["get"];
const dg = createDeskgateClient({ url: ${JSON.stringify(url)}, apiKey: ${JSON.stringify(apiKey)} });

function failure(error: unknown) {
  if (!(error instanceof TRPCClientError)) throw error;
  const e: DeskgateClientError = error;
  return {
    isTRPCClientError: true,
    sameClass: e.constructor === TRPCClientError,
    code: e.data?.code,
    httpStatus: e.data?.httpStatus,
    message: e.message,
    hasStack: e.data?.stack !== undefined || e.shape?.data.stack !== undefined,
  };
}

const { task_id } = await dg.desktop.open.mutate({
  username: "packed",
  os: "win10",
  callback_url: ${JSON.stringify(callbackUrl)},
});
const watched: TaskView["state"][] = [];
await new Promise<void>((done, fail) => {
  const sub = dg.tasks.watch.subscribe(
    { task_id },
    {
      onData(view) {
        watched.push(view.state);
        if (view.state === "succeeded" || view.state === "failed" || view.state === "cancelled") {
          sub.unsubscribe();
          done();
        }
      },
      onError: fail,
    },
  );
});
const task: TaskView = await dg.tasks.get.query({ task_id });
const username: string = String(task.result?.username);
const desktops = await dg.user.desktops.query({ username });

const badInput = await dg.desktop.open
  // @ts-expect-error: "dos" is not an os
  .mutate({ username: "packed", os: "dos", callback_url: ${JSON.stringify(callbackUrl)} })
  .then(() => "accepted", failure);
// @ts-expect-error: callback_url is required
const missing = await dg.desktop.open.mutate({ username: "packed", os: "win10" }).then(() => "accepted", failure);
const unknownTask = await dg.tasks.get
  .query({ task_id: "00000000-0000-4000-8000-000000000000" })
  .then(() => "found", failure);
const stranger = createDeskgateClient({ url: ${JSON.stringify(url)}, apiKey: "dg_unknown" });
const badKey = await stranger.tasks.get.query({ task_id }).then(() => "answered", failure);

console.log(JSON.stringify({ opened: task_id, watched, task, desktops: desktops.length, badInput, missing, unknownTask, badKey }));
`;
}
