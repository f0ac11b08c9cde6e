import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const dataDir = mkdtempSync(join(tmpdir(), "deskgate-start-"));
chmodSync(dataDir, 0o755); // like a project folder: the embedded server's user must enter it
let proc: ChildProcess | undefined;

afterAll(() => {
  proc?.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

/**
 * The README's first command, as a newcomer runs it: `pnpm start` brings up embedded
 * PostgreSQL, the simulator, api, worker and inbox, prints its URLs, opens a desktop whose
 * signed callback the inbox verifies, and stops cleanly on SIGTERM.
 */
describe("pnpm start", () => {
  it("starts deskgate, serves an apply end to end, and stops cleanly", async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DESKGATE_DATA_DIR: dataDir,
      PORT: "0",
      SIM_PORT: "0",
      INBOX_PORT: "0",
    };
    for (const key of [
      "DATABASE_URL",
      "DESKGATE_VDI_URL",
      "DESKGATE_ENCRYPTION_KEY",
      "DESKGATE_WEBHOOK_SECRET",
      "DESKGATE_DEFAULT_PASSWORD",
      "DESKGATE_WORKER_METRICS_PORT",
    ])
      delete env[key];
    proc = spawn(process.execPath, [join(root, "scripts/start.ts")], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: string[] = [];
    const waitFor = (pattern: RegExp, timeoutMs: number) =>
      new Promise<RegExpMatchArray>((resolveMatch, reject) => {
        const found = lines.map((l) => l.match(pattern)).find(Boolean);
        if (found) return resolveMatch(found);
        const timer = setTimeout(
          () => reject(new Error(`no line matching ${pattern}; got:\n${lines.join("\n")}`)),
          timeoutMs,
        );
        const onLine = (line: string) => {
          const m = line.match(pattern);
          if (m) {
            clearTimeout(timer);
            resolveMatch(m);
          }
        };
        listeners.push(onLine);
      });
    const listeners: ((line: string) => void)[] = [];
    for (const stream of [proc.stdout!, proc.stderr!]) {
      createInterface({ input: stream }).on("line", (line) => {
        lines.push(line);
        for (const l of listeners) l(line);
      });
    }

    await waitFor(/^deskgate is running$/, 60_000);
    const api = (await waitFor(/^ {2}API +(http:\/\/\S+)/, 1000))[1]!;
    const inbox = (await waitFor(/^ {2}Inbox +(http:\/\/\S+)/, 1000))[1]!;
    await waitFor(/^ {2}Simulator +http:\/\/\S+/, 1000);
    // A fresh data folder: the dev admin key is created and shown once, in full.
    const devKey = (await waitFor(/^ {2}dev admin key: (dg_[A-Za-z0-9_-]{43}) \(shown once/, 1000))[1]!;

    const res = await fetch(`${api}/api/desktop/apply`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${devKey}` },
      body: JSON.stringify({ username: "newcomer", os: "win10", callback_url: inbox }),
    });
    const ack = (await res.json()) as { data: { task_id: string }; status: string; message: string };
    expect(ack.status, ack.message).toBe("0");
    const [line] = await waitFor(/\[inbox\] callback msg_\w+ signature (\w+): status (\S+) (.*)/, 30_000);
    expect(line).toContain("signature verified: status 0");
    expect(line).toContain(`"task_id":"${ack.data.task_id}"`);
    expect(line).toContain('"username":"newcomer_01"');
    expect(line).toContain('"password":"********"');
    // The banner lists what a newcomer opens next, and each answers.
    const docs = (await waitFor(/^ {2}Docs +(http:\/\/\S+\/docs) /, 1000))[1]!;
    const trpc = (await waitFor(/^ {2}tRPC +(http:\/\/\S+\/trpc) /, 1000))[1]!;
    const ops = (await waitFor(/^ {2}Ops +(http:\/\/\S+\/ops) /, 1000))[1]!;
    const metrics = (await waitFor(/^ {2}Metrics +(http:\/\/\S+\/metrics) /, 1000))[1]!;
    const workerMetrics = (await waitFor(/^ {2}Worker +(http:\/\/127\.0\.0\.1:\d+\/metrics) /, 1000))[1]!;
    for (const url of [docs, trpc, ops, metrics, workerMetrics])
      expect(url.startsWith("http://127.0.0.1:")).toBe(true);
    expect([docs, trpc, ops, metrics].every((u) => u.startsWith(api))).toBe(true);
    expect((await fetch(docs)).status).toBe(200);
    const opsPage = await fetch(ops);
    expect(opsPage.status).toBe(401); // not signed in yet
    expect(await opsPage.text()).toContain("API key"); // the login form
    expect(await (await fetch(metrics)).text()).toContain("# TYPE");
    expect(await (await fetch(workerMetrics)).text()).toContain("# TYPE");
    const input = encodeURIComponent(JSON.stringify({ username: "newcomer_01" }));
    const viaTrpc = await fetch(`${trpc}/user.desktops?input=${input}`, {
      headers: { authorization: `Bearer ${devKey}` },
    });
    expect(viaTrpc.status).toBe(200);
    expect(((await viaTrpc.json()) as { result: { data: unknown[] } }).result.data).toHaveLength(1);

    // The docs' pwd-reset example ("password": "") works out of the box: the dev stack's default
    // password, kept in dev-secrets.json (the banner says where), never printed.
    const reset = await fetch(`${api}/api/user/pwd-reset`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${devKey}` },
      body: JSON.stringify({ username: "newcomer_01", password: "" }),
    });
    const resetBody = (await reset.json()) as {
      status: string;
      message: string;
      data: { password?: string };
    };
    expect(resetBody.status, resetBody.message).toBe("0");
    const devSecrets = JSON.parse(readFileSync(join(dataDir, "dev-secrets.json"), "utf8")) as {
      devDefaultPassword: string;
    };
    expect(resetBody.data.password).toBe(devSecrets.devDefaultPassword);
    await waitFor(
      /default password \("password": ""\): node -p 'require\(".*dev-secrets\.json"\)\.devDefaultPassword'/,
      1000,
    );
    expect(lines.join("\n")).not.toContain(devSecrets.devDefaultPassword);

    // The dev key has a signing secret of its own; the banner says where to read it.
    await waitFor(/signing secret: node -p 'require\(".*dev-secrets\.json"\)\.devSigningSecret'/, 1000);
    const received = (await (await fetch(inbox.replace(/\/callbacks$/, ""))).json()) as {
      verifiedWith?: string;
    }[];
    expect(received.map((r) => r.verifiedWith)).toEqual(["dev-admin key"]);

    // While it runs, the operator CLI finds the stack by itself.
    const cli = spawnSync(process.execPath, [join(root, "apps/cli/src/main.ts"), "tasks", "list", "--json"], {
      env: { ...env, DESKGATE_DATA_DIR: dataDir },
      encoding: "utf8",
    });
    expect(cli.status).toBe(0);
    expect(JSON.parse(cli.stdout)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: ack.data.task_id, kind: "desktop.apply", state: "succeeded" }),
        expect.objectContaining({ kind: "user.pwd_reset", state: "succeeded" }),
      ]),
    );

    const exited = new Promise<number | null>((r) => proc!.once("exit", (code) => r(code)));
    proc.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(lines.join("\n")).toContain("deskgate stopped");
    // No secret reached the console: the generated password is masked, keys are never printed.
    expect(lines.join("\n")).not.toMatch(/whsec_/);
  }, 120_000);
});
