import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { userInfo } from "node:os";
import { join, resolve } from "node:path";
import {
  connect,
  createBoss,
  type Database,
  ensureQueues,
  findApiKey,
  getTask,
  listAttempts,
  listDeliveries,
  type PgBoss,
} from "@deskgate/db";
import { createTestDatabase } from "@deskgate/db/testing";
import { createSecretBox } from "@deskgate/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli.ts";

const main = resolve(import.meta.dirname, "../src/main.ts");
let url: string;
let drop: () => Promise<void>;
let database: Database;
/** Only to create the queues and look at jobs: no worker runs in these tests. */
let boss: PgBoss;
const encryptionKey = randomBytes(32).toString("base64");
const box = createSecretBox(Buffer.from(encryptionKey, "base64"));

beforeAll(async () => {
  ({ url, drop } = await createTestDatabase());
  database = connect(url, { max: 2 });
  boss = createBoss(url, { supervise: false, schedule: false });
  await boss.start();
  await ensureQueues(boss);
});
afterAll(async () => {
  await boss.stop({ graceful: false });
  await database.close();
  await drop();
});

/** Run a CLI command in-process (the same entry point main.ts calls), capturing its output. */
async function cli(
  args: string[],
  stdin = "",
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(
    args,
    () => ({
      target: { databaseUrl: url, encryptionKey },
      write: (t) => (stdout += t),
      readStdin: async () => stdin,
    }),
    (t) => (stderr += t),
    (t) => (stdout += t),
  );
  return { code, stdout, stderr };
}

/** Run the real CLI as a process, as an operator would. */
function spawnCli(
  args: string[],
  stdin = "",
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const proc = spawn(process.execPath, [main, ...args], {
      env: {
        ...process.env,
        DATABASE_URL: url,
        DESKGATE_ENCRYPTION_KEY: encryptionKey,
        DESKGATE_DATA_DIR: join("/nonexistent"),
      },
    });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (c) => (stdout += c));
    proc.stderr.on("data", (c) => (stderr += c));
    proc.on("exit", (code) => done({ code, stdout, stderr }));
    proc.stdin.end(stdin);
  });
}

describe("deskgate CLI", () => {
  it("creates a key, shows it once, stores only its hash, lists and revokes it", async () => {
    const created = await cli(["keys", "create", "erp", "--scopes", "desktop,hpc", "--json"]);
    expect(created.code).toBe(0);
    const { key, signing_secret } = JSON.parse(created.stdout) as { key: string; signing_secret: string };
    expect(key).toMatch(/^dg_[A-Za-z0-9_-]{43}$/);
    expect(signing_secret).toMatch(/^whsec_[A-Za-z0-9+/=]{44}$/);
    const row = await findApiKey(database.db, key);
    expect(row).toMatchObject({ name: "erp", scopes: ["desktop", "hpc"] });
    expect(JSON.stringify(row)).not.toContain(key);
    // The secret is stored sealed only; it opens with the encryption key to what was printed.
    expect(JSON.stringify(row)).not.toContain(signing_secret.slice(6));
    expect(box.open(row!.sealedSigningSecret!)).toBe(signing_secret);

    const listed = await cli(["keys", "list"]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^NAME +PREFIX +SCOPES/);
    expect(listed.stdout).toContain("erp");
    expect(listed.stdout).not.toContain(key);

    const duplicate = await cli(["keys", "create", "erp", "--scopes", "desktop"]);
    expect(duplicate.code).toBe(1); // refused, not a usage mistake: no usage text
    expect(duplicate.stderr).toBe("deskgate: a key named erp exists already\n");
    expect((await cli(["keys", "create", "bad", "--scopes", "root"])).stderr).toContain(
      "--scopes must list some of",
    );

    const rotated = await cli(["keys", "rotate-secret", "erp", "--overlap-hours", "2", "--json"]);
    expect(rotated.code).toBe(0);
    const next = JSON.parse(rotated.stdout) as { signing_secret: string; previous_signs_until: string };
    expect(next.signing_secret).toMatch(/^whsec_/);
    expect(next.signing_secret).not.toBe(signing_secret);
    const hoursLeft = (Date.parse(next.previous_signs_until) - Date.now()) / 3_600_000;
    expect(hoursLeft).toBeGreaterThan(1.9);
    expect(hoursLeft).toBeLessThanOrEqual(2);
    const rotatedRow = await findApiKey(database.db, key);
    expect(box.open(rotatedRow!.sealedSigningSecret!)).toBe(next.signing_secret);
    expect(box.open(rotatedRow!.sealedPreviousSigningSecret!)).toBe(signing_secret);
    expect((await cli(["keys", "list"])).stdout).toMatch(/own \(rotating until /);
    expect((await cli(["keys", "rotate-secret", "erp", "--overlap-hours", "-1"])).code).toBe(2);
    const missing = await cli(["keys", "rotate-secret", "nobody"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no active key named nobody");

    expect((await cli(["keys", "revoke", "erp"])).code).toBe(0);
    expect((await findApiKey(database.db, key))?.revokedAt).not.toBeNull();

    // Every change, and every refusal, is in the audit trail, with who; never a secret.
    const audit = await cli(["audit", "list", "--target", "erp", "--json"]);
    expect(audit.code).toBe(0);
    const events = JSON.parse(audit.stdout) as { actor: string; action: string; outcome: string }[];
    expect(events.map((e) => `${e.action} ${e.outcome}`)).toEqual([
      "key.revoke ok",
      "key.rotate_secret ok",
      "key.create refused",
      "key.create ok",
    ]);
    expect(new Set(events.map((e) => e.actor))).toEqual(new Set([`cli:${userInfo().username}`]));
    expect(audit.stdout).not.toContain("whsec_");
    expect((await cli(["audit", "list"])).stdout).toMatch(/^AT +ACTOR +ACTION +TARGET +OUTCOME/i);
    expect((await cli(["audit", "list", "--limit", "0"])).code).toBe(2);
  });

  it("adds an HPC account with its password sealed, lists and removes it", async () => {
    const added = await cli(
      ["hpc", "accounts", "add", "lab", "--user", "hpcuser", "--org", "org-1"],
      "s3cret-pass\n",
    );
    expect(added.code).toBe(0);
    const [row] = await database.sql`select sealed_password from hpc_accounts where name = 'lab'`;
    expect(row!.sealed_password).toMatch(/^v1\./);
    expect(row!.sealed_password).not.toContain("s3cret");
    const listed = await cli(["hpc", "accounts", "list", "--json"]);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ name: "lab", platformUser: "hpcuser", hasToken: false }),
    ]);
    expect(listed.stdout).not.toContain("s3cret");
    expect((await cli(["hpc", "accounts", "remove", "lab"])).code).toBe(0);
    const gone = await cli(["hpc", "accounts", "remove", "lab"]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe("deskgate: no HPC account named lab\n");
  });

  it("tenants: keys create --tenant, hpc accounts add/assign and users assign, each audited", async () => {
    const a = JSON.parse(
      (await cli(["keys", "create", "fin-1", "--scopes", "desktop,hpc", "--tenant", "finance", "--json"]))
        .stdout,
    );
    expect(a.tenant).toBe("finance");
    const own = JSON.parse((await cli(["keys", "create", "solo", "--scopes", "hpc", "--json"])).stdout);
    const soloRow = await findApiKey(database.db, own.key);
    expect(own.tenant).toBe(`key:${soloRow!.id} (its own)`);
    expect(soloRow!.tenant).toBeNull();
    const bad = await cli(["keys", "create", "x", "--scopes", "desktop", "--tenant", "key:abc"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--tenant must be 1 to 63 lower-case letters");

    // an account added with --key belongs to that key's tenant; without an owner flag, to nobody
    expect(
      (await cli(["hpc", "accounts", "add", "fin-hpc", "--user", "u", "--org", "o", "--key", "solo"], "pw\n"))
        .code,
    ).toBe(0);
    expect(
      (await cli(["hpc", "accounts", "add", "free-hpc", "--user", "u", "--org", "o"], "pw\n")).code,
    ).toBe(0);
    const tenantOf = async (name: string) =>
      (
        await database.sql<{ tenant: string | null }[]>`select tenant from hpc_accounts where name = ${name}`
      )[0]?.tenant;
    expect(await tenantOf("fin-hpc")).toBe(`key:${soloRow!.id}`);
    expect(await tenantOf("free-hpc")).toBeNull();
    expect((await cli(["hpc", "accounts", "assign", "free-hpc", "--tenant", "finance"])).code).toBe(0);
    expect(await tenantOf("free-hpc")).toBe("finance");
    expect((await cli(["hpc", "accounts", "assign", "free-hpc", "--none"])).code).toBe(0);
    expect(await tenantOf("free-hpc")).toBeNull();
    const both = await cli(["hpc", "accounts", "assign", "free-hpc", "--none", "--tenant", "finance"]);
    expect(both).toMatchObject({ code: 2 });
    expect(both.stderr).toContain("give one of --tenant, --key or --none");
    expect((await cli(["hpc", "accounts", "assign", "free-hpc"])).code).toBe(2);
    const noKey = await cli(["hpc", "accounts", "assign", "free-hpc", "--key", "nobody"]);
    expect(noKey).toMatchObject({ code: 1, stderr: "deskgate: no API key named nobody\n" });

    // a user found on the platform (no owner) and their desktops go to a tenant together
    await database.sql`insert into vdi_users (username, upstream_id) values ('found_01', 'u-f')`;
    await database.sql`insert into desktops (desktop_uuid, desktop_name, username, os, status)
      values ('d-f1', 'f1', 'found_01', 'win10', 'ACTIVE'), ('d-f2', 'f2', 'found_01', 'win10', 'ACTIVE')`;
    const assigned = await cli(["users", "assign", "found_01", "--tenant", "finance", "--json"]);
    expect(assigned.code).toBe(0);
    expect(JSON.parse(assigned.stdout)).toEqual({ username: "found_01", tenant: "finance", desktops: 2 });
    const owners = await database.sql<{ tenant: string }[]>`
      select tenant from vdi_users where username = 'found_01'
      union all select tenant from desktops where username = 'found_01'`;
    expect(owners.map((o) => o.tenant)).toEqual(["finance", "finance", "finance"]);
    const nobody = await cli(["users", "assign", "nobody_01", "--tenant", "finance"]);
    expect(nobody).toMatchObject({ code: 1, stderr: "deskgate: deskgate knows no user nobody_01\n" });

    const audit = JSON.parse((await cli(["audit", "list", "--json"])).stdout) as {
      action: string;
      target: string;
      outcome: string;
    }[];
    expect(audit.map((e) => `${e.action} ${e.target} ${e.outcome}`)).toEqual(
      expect.arrayContaining([
        "user.assign found_01 ok",
        "user.assign nobody_01 refused",
        "hpc_account.assign free-hpc ok",
        "key.create fin-1 ok",
      ]),
    );
  });

  it("lists tasks with filters and search, and shows one with its steps", async () => {
    const id = randomUUID();
    await database.sql`insert into tasks (id, kind, state, request, result) values
      (${id}, 'desktop.apply', 'succeeded', ${JSON.stringify({ username: "grp", os: "win10" })}::jsonb,
       ${JSON.stringify({ username: "grp_01", desktop_uuid: "d-123" })}::jsonb)`;
    await database.sql`insert into task_steps (task_id, name, outcome) values (${id}, 'create_user', 'ok')`;
    const other = randomUUID();
    await database.sql`insert into tasks (id, kind, state, request) values (${other}, 'user.pwd_reset', 'failed', '{}')`;

    const all = JSON.parse((await cli(["tasks", "list", "--json"])).stdout) as { id: string }[];
    expect(all.map((t) => t.id).sort()).toEqual([id, other].sort());
    const failed = JSON.parse((await cli(["tasks", "list", "--state", "failed", "--json"])).stdout) as {
      id: string;
    }[];
    expect(failed.map((t) => t.id)).toEqual([other]);
    for (const search of ["grp_01", "d-123", id]) {
      const found = JSON.parse((await cli(["tasks", "list", "--search", search, "--json"])).stdout) as {
        id: string;
      }[];
      expect(found.map((t) => t.id)).toEqual([id]);
    }
    const shown = await cli(["tasks", "show", id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("create_user");
    expect(shown.stdout).toMatch(/state +succeeded/);
  });

  it("finds tasks by approval ticket (--ticket, exact) and by ticket or requester in --search", async () => {
    const ticketed = randomUUID();
    const sibling = randomUUID();
    await database.sql`insert into tasks (id, kind, state, request, ticket_id, requester) values
      (${ticketed}, 'desktop.apply', 'succeeded', '{}', 'ITSM-4711', 'alice@example.com'),
      (${sibling}, 'desktop.delete', 'queued', '{}', 'ITSM-4711', 'bob@example.com'),
      (${randomUUID()}, 'desktop.apply', 'queued', '{}', 'ITSM-47110', null)`;
    const list = async (...args: string[]) =>
      (
        JSON.parse((await cli(["tasks", "list", ...args, "--json"])).stdout) as {
          id: string;
          ticketId: string;
        }[]
      )
        .map((t) => t.id)
        .sort();
    expect(await list("--ticket", "ITSM-4711")).toEqual([ticketed, sibling].sort());
    expect(await list("--ticket", "ITSM-4711", "--kind", "desktop.delete")).toEqual([sibling]);
    expect(await list("--search", "ITSM-4711")).toEqual([ticketed, sibling].sort());
    expect(await list("--search", "alice@example.com")).toEqual([ticketed]);
    const table = await cli(["tasks", "list", "--ticket", "ITSM-4711"]);
    expect(table.stdout).toContain("ITSM-4711");
    const shown = await cli(["tasks", "show", ticketed]);
    expect(shown.stdout).toMatch(/ticket +ITSM-4711/);
    expect(shown.stdout).toMatch(/requester +alice@example.com/);
  });

  it("retries a failed task: queued again, failure cleared, other progress kept, job enqueued", async () => {
    const id = randomUUID();
    await database.sql`insert into tasks (id, kind, state, request, progress, error, finished_at) values
      (${id}, 'desktop.apply', 'failed', '{}', ${JSON.stringify({ userId: "u-1", failure: "no quota" })}::jsonb,
       'no quota', now())`;
    const retried = await cli(["tasks", "retry", id]);
    expect(retried.code).toBe(0);
    const task = await getTask(database.db, id);
    expect(task).toMatchObject({
      state: "queued",
      error: null,
      finishedAt: null,
      progress: { userId: "u-1" },
    });
    const jobs = await boss.findJobs("desktop.apply", { data: { task_id: id } });
    expect(jobs.map((j) => j.state)).toEqual(["created"]);

    const again = await cli(["tasks", "retry", id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("only a failed or cancelled task can be retried");
    expect((await cli(["tasks", "retry"])).code).toBe(2);
  });

  it("cancels a queued task: its job is cancelled and a failure callback is on its way", async () => {
    const id = randomUUID();
    await database.sql`insert into tasks (id, kind, state, request, callback_url) values
      (${id}, 'user.pwd_reset', 'queued', '{}', 'https://erp.example/cb')`;
    await boss.send("user.pwd_reset", { task_id: id });
    const cancelled = await cli(["tasks", "cancel", id]);
    expect(cancelled.code).toBe(0);
    expect(await getTask(database.db, id)).toMatchObject({
      state: "cancelled",
      error: "cancelled by an operator",
    });
    expect((await boss.findJobs("user.pwd_reset", { data: { task_id: id } }))[0]?.state).toBe("cancelled");
    const [delivery] = await listDeliveries(database.db, id);
    expect(JSON.parse(delivery!.body)).toEqual({
      data: { task_id: id },
      message: "cancelled by an operator",
      status: "-1",
    });
    const jobs = await boss.findJobs("callback.deliver", { data: { delivery_id: delivery!.id } });
    expect(jobs.map((j) => j.data)).toEqual([{ delivery_id: delivery!.id, attempt: 1 }]);
    expect((await cli(["tasks", "cancel", id])).stderr).toContain("task is cancelled");
  });

  it("requests a redelivery of a task's latest callback: a manual job waits for a worker", async () => {
    const id = randomUUID();
    await database.sql`insert into tasks (id, kind, state, request, callback_url) values
      (${id}, 'user.pwd_reset', 'failed', '{}', 'https://erp.example/cb')`;
    const older = randomUUID();
    const latest = randomUUID();
    await database.sql`insert into callback_deliveries (id, task_id, webhook_id, url, body, state, attempts, created_at)
      values (${older}, ${id}, 'msg_old', 'https://erp.example/cb', '{}', 'failed', 7, now() - interval '1 hour'),
             (${latest}, ${id}, 'msg_new', 'https://erp.example/cb', '{}', 'failed', 7, now())`;
    const requested = await cli(["callbacks", "redeliver", id, "--json"]);
    expect(requested.code).toBe(0);
    expect(JSON.parse(requested.stdout)).toMatchObject({ delivery: latest, redelivery: "requested" });
    const jobs = await boss.findJobs("callback.deliver", { data: { delivery_id: latest }, queued: true });
    expect(jobs.map((j) => j.data)).toEqual([{ delivery_id: latest, attempt: 8, manual: true }]);
    expect(await listAttempts(database.db, latest)).toEqual([]); // the worker makes the attempt

    expect((await cli(["callbacks", "redeliver", older])).code).toBe(0);
    expect((await cli(["callbacks", "redeliver", randomUUID()])).stderr).toContain("no delivery or task");
  });

  it("runs as a process: applies migrations, and answers unknown commands with the usage and exit code 2", async () => {
    expect((await spawnCli(["db", "migrate"])).code).toBe(0);
    const unknown = await spawnCli(["frobnicate", "now"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("deskgate tasks list");
  });

  it("follows the CLI conventions: help and --version exit 0, per-command help, usage errors exit 2 naming the flag", async () => {
    for (const args of [["--help"], ["-h"], ["help"]]) {
      const r = await cli(args);
      expect(r.code, args.join(" ")).toBe(0);
      expect(r.stdout).toContain("deskgate tasks list [--state S]");
      expect(r.stdout).toContain("deskgate --version");
      expect(r.stderr).toBe("");
    }
    const version = await cli(["--version"]);
    expect(version).toMatchObject({ code: 0, stdout: "deskgate 0.1.0\n" });
    for (const args of [
      ["tasks", "list", "--help"],
      ["help", "tasks", "list"],
      ["tasks", "list", "-h"],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(" ")).toBe(0);
      expect(r.stdout).toMatch(/^usage: deskgate tasks list \[--state S\]/);
      expect(r.stdout).not.toContain("keys create"); // that command's help only
    }
    expect((await cli(["hpc", "accounts", "add", "--help"])).stdout).toContain("--access-key AK");
    // No command at all: the overview on stderr, exit 2.
    expect(await cli([])).toMatchObject({ code: 2, stdout: "" });

    const usage = async (args: string[], message: string) => {
      const r = await cli(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toContain(`deskgate: ${message}`);
      expect(r.stderr).toMatch(/usage: deskgate |deskgate — operator CLI/);
      expect(r.stdout).toBe("");
    };
    await usage(["tasks", "list", "--stat", "failed"], "unknown flag --stat (did you mean --state?)");
    await usage(
      ["tasks", "list", "--state", "bogus"],
      '--state must be one of queued, running, succeeded, failed, cancelled (got "bogus")',
    );
    await usage(["tasks", "list", "--kind", "desktop.nope"], "--kind must be one of desktop.apply");
    await usage(
      ["tasks", "list", "--limit", "abc"],
      '--limit must be a whole number from 1 to 1000 (got "abc")',
    );
    await usage(["tasks", "list", "--limit", "5000"], "--limit must be a whole number from 1 to 1000");
    await usage(["tasks", "list", "--state"], "--state needs a value");
    await usage(["audit", "list", "--limit", "1.5"], "--limit must be a whole number");
    await usage(["tasks", "show", "not-a-uuid"], '<task_id> must be a uuid (got "not-a-uuid")');
    await usage(["tasks", "retry", "1234"], "<task_id> must be a uuid");
    await usage(["callbacks", "redeliver", "x"], "<delivery_id|task_id> must be a uuid");
    await usage(["tasks", "show"], "missing <task_id>");
    await usage(["keys", "list", "--scopes", "admin"], "unknown flag --scopes");
    await usage(["keys", "list", "extra"], "unexpected argument: extra");
    await usage(
      ["tasks", "frobnicate"],
      "unknown command: tasks frobnicate (tasks takes: list, show, retry, cancel)",
    );
    await usage(["help", "nothing"], "unknown command: nothing");
  });

  it("says not found with exit 1 and no usage, never shows SQL, and writes readable table headers", async () => {
    const id = randomUUID();
    const missing = await cli(["tasks", "show", id]);
    expect(missing).toMatchObject({ code: 1, stdout: "", stderr: `deskgate: no task ${id}\n` });
    const revoke = await cli(["keys", "revoke", "nobody"]);
    expect(revoke).toMatchObject({ code: 1, stderr: "deskgate: no active key named nobody\n" });
    expect((await cli(["callbacks", "redeliver", id])).code).toBe(1);
    // A search the database cannot answer in a column (a uuid-typed comparison) still gives words.
    const wide = await cli(["tasks", "list", "--search", "'; select 1; --"]);
    expect(wide.stderr).not.toMatch(/select|Failed query|params:/i);
    // A database that is not there: one line, no SQL, exit 1.
    let stderr = "";
    const code = await runCli(
      ["tasks", "list"],
      () => ({
        target: { databaseUrl: "postgres://nobody@127.0.0.1:1/none", encryptionKey },
        write: () => {},
        readStdin: async () => "",
      }),
      (t) => (stderr += t),
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/^deskgate: cannot reach the database \(DATABASE_URL\): /);
    expect(stderr).not.toMatch(/select|Failed query|\n.+\n/i);

    // Column headers in words.
    const [task] = await database.sql<{ id: string }[]>`
      insert into tasks (id, kind, state, request)
      values (${randomUUID()}, 'desktop.apply', 'queued', '{}'::jsonb) returning id`;
    const listed = await cli(["tasks", "list"]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      /^ID +KIND +STATE +USERNAME +DESKTOP UUID +TICKET ID +ATTEMPTS +CREATED AT +ERROR\n/,
    );
    expect(listed.stdout).toContain(task!.id);
    expect((await cli(["keys", "list"])).stdout).toMatch(
      /^NAME +PREFIX +SCOPES +TENANT +RATE LIMIT PER MINUTE +SIGNING SECRET/,
    );
  });
});
