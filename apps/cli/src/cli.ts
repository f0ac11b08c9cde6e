import { parseArgs } from "node:util";
import { runMigrations } from "@deskgate/db";
import { hpcAccountsAdd, hpcAccountsList, hpcAccountsRemove } from "./commands/hpc.ts";
import { keysCreate, keysList, keysRevoke } from "./commands/keys.ts";
import { callbacksRedeliver, tasksCancel, tasksRetry } from "./commands/operator.ts";
import { tasksList, tasksShow } from "./commands/tasks.ts";
import { type CliContext, openContext } from "./context.ts";
import { createOutput } from "./output.ts";
import { USAGE, UsageError } from "./usage.ts";

export interface CliIo {
  target: { databaseUrl: string; encryptionKey?: string };
  write(text: string): void;
  readStdin(): Promise<string>;
}

/** Run one CLI command; returns the process exit code (0 ok, 1 failure, 2 usage). */
export async function runCli(
  argv: string[],
  io: () => CliIo,
  writeError: (text: string) => void = (t) => process.stderr.write(t),
): Promise<number> {
  const { values: flags, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: {
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
      ...Object.fromEntries(
        ["state", "kind", "search", "limit", "scopes", "rate-limit", "user", "org"].map((name) => [
          name,
          { type: "string" as const },
        ]),
      ),
    },
  });
  const [group, action, ...rest] = positionals;
  if (!group || flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return group ? 0 : 2;
  }
  let ctx: CliContext | undefined;
  try {
    const resolved = io();
    const out = createOutput(flags.json === true, resolved.write);
    ctx = openContext(resolved.target, out);
    const str = (k: string) => (typeof flags[k] === "string" ? (flags[k] as string) : undefined);
    switch (`${group} ${action ?? ""}`.trim()) {
      case "tasks list":
        await tasksList(ctx, {
          state: str("state"),
          kind: str("kind"),
          search: str("search"),
          limit: str("limit"),
        });
        break;
      case "tasks show":
        await tasksShow(ctx, rest[0]);
        break;
      case "tasks retry":
        await tasksRetry(ctx, rest[0]);
        break;
      case "tasks cancel":
        await tasksCancel(ctx, rest[0]);
        break;
      case "callbacks redeliver":
        await callbacksRedeliver(ctx, rest[0]);
        break;
      case "keys create":
        await keysCreate(ctx, rest[0], { scopes: str("scopes"), "rate-limit": str("rate-limit") });
        break;
      case "keys list":
        await keysList(ctx);
        break;
      case "keys revoke":
        await keysRevoke(ctx, rest[0]);
        break;
      case "hpc accounts":
        await hpcCommand(ctx, rest, str, resolved.readStdin);
        break;
      case "db migrate":
        await runMigrations(ctx.databaseUrl);
        ctx.out.print({ migrations: "applied" });
        break;
      default:
        throw new UsageError(`unknown command: ${positionals.join(" ")}`);
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      writeError(`deskgate: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    writeError(`deskgate: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    await ctx?.database.close();
  }
}

async function hpcCommand(
  ctx: CliContext,
  rest: string[],
  str: (k: string) => string | undefined,
  readStdin: () => Promise<string>,
) {
  const [verb, name] = rest;
  if (verb === "add") return hpcAccountsAdd(ctx, name, { user: str("user"), org: str("org") }, readStdin);
  if (verb === "list") return hpcAccountsList(ctx);
  if (verb === "remove") return hpcAccountsRemove(ctx, name);
  throw new UsageError("hpc accounts add|list|remove");
}
