import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { TaskKind, TaskState } from "@deskgate/contracts";
import { runMigrations } from "@deskgate/db";
import { auditList } from "./commands/audit.ts";
import { hpcAccountsAdd, hpcAccountsList, hpcAccountsRemove } from "./commands/hpc.ts";
import { keysCreate, keysList, keysRevoke, keysRotateSecret } from "./commands/keys.ts";
import { callbacksRedeliver, tasksCancel, tasksRetry } from "./commands/operator.ts";
import { tasksList, tasksShow } from "./commands/tasks.ts";
import { hpcAccountsAssign, type OwnerFlags, usersAssign } from "./commands/tenants.ts";
import { type CliContext, openContext } from "./context.ts";
import { createOutput } from "./output.ts";
import { COMMANDS, commandHelp, NotFoundError, USAGE, UsageError } from "./usage.ts";

export interface CliIo {
  target: { databaseUrl: string; encryptionKey?: string };
  write(text: string): void;
  readStdin(): Promise<string>;
}

const VERSION = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Commands whose argument is an id (a uuid), checked before the database is asked. */
const ID_ARGUMENT: Record<string, string> = {
  "tasks show": "task_id",
  "tasks retry": "task_id",
  "tasks cancel": "task_id",
  "callbacks redeliver": "delivery_id|task_id",
};
/** Every string flag of any command, so a first loose pass can find the command's words. */
const ALL_STRING_FLAGS = Object.fromEntries(
  Object.values(COMMANDS).flatMap((c) =>
    Object.entries(c.flags)
      .filter(([, f]) => f.type === "string")
      .map(([name]) => [name, { type: "string" as const }]),
  ),
);

/**
 * Run one CLI command; returns the process exit code: 0 done, 1 failed (not found, refused,
 * database unreachable), 2 wrong usage (unknown command or flag, bad value: the message names
 * it, then the command's usage). Help and --version go to stdout and exit 0.
 */
export async function runCli(
  argv: string[],
  io: () => CliIo,
  writeError: (text: string) => void = (t) => process.stderr.write(t),
  writeOut: (text: string) => void = (t) => process.stdout.write(t),
): Promise<number> {
  let command: string | undefined;
  let ctx: CliContext | undefined;
  try {
    const loose = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: false,
      options: {
        ...ALL_STRING_FLAGS,
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "V" },
      },
    });
    const words = loose.positionals;
    if (words[0] === "help") {
      const about = findCommand(words.slice(1));
      if (words.length > 1 && !about) throw new UsageError(`unknown command: ${words.slice(1).join(" ")}`);
      writeOut(`${about ? commandHelp(about) : USAGE}\n`);
      return 0;
    }
    if (words.length === 0) {
      if (loose.values.version) {
        writeOut(`deskgate ${VERSION}\n`);
        return 0;
      }
      if (loose.values.help) {
        writeOut(`${USAGE}\n`);
        return 0;
      }
      writeError(`${USAGE}\n`);
      return 2;
    }
    command = findCommand(words);
    if (!command) {
      const group = Object.keys(COMMANDS).filter((c) => c.startsWith(`${words[0]} `));
      throw new UsageError(
        group.length
          ? `unknown command: ${words.join(" ")} (${words[0]} takes: ${group.map((c) => c.slice(words[0]!.length + 1)).join(", ")})`
          : `unknown command: ${words.join(" ")}`,
      );
    }
    const spec = COMMANDS[command]!;
    const { values: flags, positionals } = strictParse(argv, spec.flags);
    if (flags.help) {
      writeOut(`${commandHelp(command)}\n`);
      return 0;
    }
    const args = positionals.slice(command.split(" ").length);
    if (args.length > spec.positionals)
      throw new UsageError(`unexpected argument: ${args[spec.positionals]}`);
    const values = flags as Record<string, string | boolean | undefined>;
    const str = (k: string) => (typeof values[k] === "string" ? (values[k] as string) : undefined);
    checkValues(command, str, args);

    const resolved = io();
    const out = createOutput(flags.json === true, resolved.write);
    ctx = openContext(resolved.target, out);
    const [arg] = args;
    switch (command) {
      case "tasks list":
        await tasksList(ctx, {
          state: str("state"),
          kind: str("kind"),
          search: str("search"),
          ticket: str("ticket"),
          limit: str("limit"),
        });
        break;
      case "tasks show":
        await tasksShow(ctx, arg);
        break;
      case "tasks retry":
        await tasksRetry(ctx, arg);
        break;
      case "tasks cancel":
        await tasksCancel(ctx, arg);
        break;
      case "callbacks redeliver":
        await callbacksRedeliver(ctx, arg);
        break;
      case "keys create":
        await keysCreate(ctx, arg, {
          scopes: str("scopes"),
          tenant: str("tenant"),
          "rate-limit": str("rate-limit"),
        });
        break;
      case "keys list":
        await keysList(ctx);
        break;
      case "keys revoke":
        await keysRevoke(ctx, arg);
        break;
      case "keys rotate-secret":
        await keysRotateSecret(ctx, arg, { "overlap-hours": str("overlap-hours") });
        break;
      case "hpc accounts add":
        await hpcAccountsAdd(
          ctx,
          arg,
          {
            user: str("user"),
            org: str("org"),
            cluster: str("cluster"),
            accessKey: str("access-key"),
            owner: { tenant: str("tenant"), key: str("key") },
          },
          resolved.readStdin,
        );
        break;
      case "hpc accounts list":
        await hpcAccountsList(ctx);
        break;
      case "hpc accounts assign":
        await hpcAccountsAssign(ctx, arg, ownerFlags(values));
        break;
      case "users assign":
        await usersAssign(ctx, arg, ownerFlags(values));
        break;
      case "hpc accounts remove":
        await hpcAccountsRemove(ctx, arg);
        break;
      case "audit list":
        await auditList(ctx, { target: str("target"), actor: str("actor"), limit: str("limit") });
        break;
      case "db migrate":
        await runMigrations(ctx.databaseUrl);
        ctx.out.print({ migrations: "applied" });
        break;
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      const about = e.command ?? command;
      const help = about
        ? `usage: deskgate ${COMMANDS[about]!.usage}\nRun 'deskgate ${about} --help' for more.`
        : USAGE;
      writeError(`deskgate: ${e.message}\n\n${help}\n`);
      return 2;
    }
    writeError(`deskgate: ${describeError(e)}\n`);
    return 1;
  } finally {
    await ctx?.database.close();
  }
}

/** The command named by the first words (the longest match: `hpc accounts add` before `hpc accounts`). */
function findCommand(words: string[]): string | undefined {
  for (const n of [3, 2]) {
    const name = words.slice(0, n).join(" ");
    if (words.length >= n && COMMANDS[name]) return name;
  }
  return undefined;
}

/** Only the command's own flags; anything else is an error naming it. */
function strictParse(argv: string[], own: Record<string, { type: "string" | "boolean"; short?: string }>) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { ...own, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    });
  } catch (e) {
    const err = e as { code?: string; message: string };
    const flag = /'(-{1,2}[^' ]+)/.exec(err.message)?.[1];
    if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && flag) {
      const known = Object.keys(own);
      const near = known.find(
        (k) => k.startsWith(flag.replace(/^-+/, "")) || flag.replace(/^-+/, "").startsWith(k),
      );
      const accepted = known.length ? `; it takes ${known.map((k) => `--${k}`).join(", ")}` : "";
      throw new UsageError(`unknown flag ${flag}${near ? ` (did you mean --${near}?)` : ""}${accepted}`);
    }
    if (err.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && flag) {
      throw new UsageError(`${flag} needs a value`);
    }
    throw new UsageError(err.message);
  }
}

/** Values checked before anything touches the database, each error naming its flag. */
function ownerFlags(values: Record<string, string | boolean | undefined>): OwnerFlags {
  const s = (k: string) => (typeof values[k] === "string" ? (values[k] as string) : undefined);
  return { tenant: s("tenant"), key: s("key"), none: values.none === true };
}

function checkValues(command: string, str: (k: string) => string | undefined, args: string[]) {
  const state = str("state");
  if (state !== undefined && !TaskState.options.includes(state as never))
    throw new UsageError(`--state must be one of ${TaskState.options.join(", ")} (got "${state}")`);
  const kind = str("kind");
  if (kind !== undefined && !TaskKind.options.includes(kind as never))
    throw new UsageError(`--kind must be one of ${TaskKind.options.join(", ")} (got "${kind}")`);
  const limit = str("limit");
  if (limit !== undefined && !(/^\d+$/.test(limit) && Number(limit) >= 1 && Number(limit) <= 1000))
    throw new UsageError(`--limit must be a whole number from 1 to 1000 (got "${limit}")`);
  const idName = ID_ARGUMENT[command];
  if (idName) {
    if (!args[0]) throw new UsageError(`missing <${idName}>`);
    if (!UUID.test(args[0])) throw new UsageError(`<${idName}> must be a uuid (got "${args[0]}")`);
  }
}

/** A failure in words: never a query's SQL text or parameters, never a stack. */
export function describeError(e: unknown): string {
  if (e instanceof NotFoundError) return e.message;
  const err = e as { message?: string; code?: string; cause?: { message?: string; code?: string } };
  const code = err.code ?? err.cause?.code;
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "ETIMEDOUT" || code === "28P01")
    return `cannot reach the database (DATABASE_URL): ${err.cause?.message ?? err.message ?? code}`;
  const message = err.message ?? String(e);
  if (/^Failed query:/.test(message)) return `database error: ${err.cause?.message ?? "the query failed"}`;
  return message;
}
