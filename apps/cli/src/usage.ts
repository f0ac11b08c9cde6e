/** A mistake in how the CLI was called: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  /** The command it concerns (its usage is printed), or none for the CLI's overview. */
  readonly command?: string;
  constructor(message: string, command?: string) {
    super(message);
    this.name = "UsageError";
    this.command = command;
  }
}

/** Something the command looked for does not exist: exit code 1, no usage text. */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotFoundError";
  }
}

type Flag = { type: "string" | "boolean"; short?: string };

export interface CommandSpec {
  /** Usage line(s) after `deskgate `. */
  usage: string;
  summary: string;
  /** Flags the command takes besides --json and --help. */
  flags: Record<string, Flag>;
  /** How many positional arguments it takes at most. */
  positionals: number;
}

const str: Flag = { type: "string" };
const bool: Flag = { type: "boolean" };
const owner = { tenant: str, key: str, none: bool };

/** Every command: its usage, what it does, and the flags it accepts (others are errors). */
export const COMMANDS: Record<string, CommandSpec> = {
  "tasks list": {
    usage:
      "tasks list [--state S] [--kind K] [--search ID|USER|DESKTOP|TICKET|REQUESTER] [--ticket T] [--limit N]",
    summary: "Tasks, newest first (--limit 1 to 1000, default 50; --ticket: that approval ticket's only).",
    flags: { state: str, kind: str, search: str, ticket: str, limit: str },
    positionals: 0,
  },
  "tasks show": {
    usage: "tasks show <task_id>",
    summary: "A task: its state, steps and every callback attempt.",
    flags: {},
    positionals: 1,
  },
  "tasks retry": {
    usage: "tasks retry <task_id>",
    summary: "A failed or cancelled task resumes.",
    flags: {},
    positionals: 1,
  },
  "tasks cancel": {
    usage: "tasks cancel <task_id>",
    summary: "Cancel a queued or running task; its callback says so.",
    flags: {},
    positionals: 1,
  },
  "callbacks redeliver": {
    usage: "callbacks redeliver <delivery_id|task_id>",
    summary: "Send a callback again now (a task id: its latest callback).",
    flags: {},
    positionals: 1,
  },
  "keys create": {
    usage: "keys create <name> --scopes desktop,hpc,admin [--tenant T] [--rate-limit N]",
    summary:
      "Create an API key; prints the key and its whsec_ signing secret, once. --tenant: share a named tenant's users, desktops, HPC accounts and tasks (default: the key is its own tenant).",
    flags: { scopes: str, tenant: str, "rate-limit": str },
    positionals: 1,
  },
  "keys list": {
    usage: "keys list",
    summary: "Every API key (never the key itself).",
    flags: {},
    positionals: 0,
  },
  "keys revoke": { usage: "keys revoke <name>", summary: "Revoke a key.", flags: {}, positionals: 1 },
  "keys rotate-secret": {
    usage: "keys rotate-secret <name> [--overlap-hours N]",
    summary: "A new signing secret for a key; the old one signs too for N hours (default 24).",
    flags: { "overlap-hours": str },
    positionals: 1,
  },
  "hpc accounts add": {
    usage:
      "hpc accounts add <name> --user U --org ORG [--cluster ID|NAME] [--access-key AK] [--tenant T | --key NAME]",
    summary:
      "Add an HPC account (its password, or with --access-key the secret key, from stdin). Its owner: --tenant or --key (that key's tenant); without either, admin keys only until assigned.",
    flags: { user: str, org: str, cluster: str, "access-key": str, tenant: str, key: str },
    positionals: 1,
  },
  "hpc accounts list": {
    usage: "hpc accounts list",
    summary: "The HPC accounts.",
    flags: {},
    positionals: 0,
  },
  "hpc accounts assign": {
    usage: "hpc accounts assign <name> (--tenant T | --key NAME | --none)",
    summary: "Give an HPC account to a tenant (--key: that key's tenant; --none: admin keys only).",
    flags: owner,
    positionals: 1,
  },
  "users assign": {
    usage: "users assign <username> (--tenant T | --key NAME | --none)",
    summary:
      "Give a user and every desktop of theirs to a tenant, e.g. one reconcile found on the platform (--none: admin keys only).",
    flags: owner,
    positionals: 1,
  },
  "hpc accounts remove": {
    usage: "hpc accounts remove <name>",
    summary: "Remove an HPC account.",
    flags: {},
    positionals: 1,
  },
  "audit list": {
    usage: "audit list [--target ID|NAME] [--actor A] [--limit N]",
    summary: "Operator actions, newest first (--limit 1 to 1000, default 50).",
    flags: { target: str, actor: str, limit: str },
    positionals: 0,
  },
  "db migrate": { usage: "db migrate", summary: "Apply the database migrations.", flags: {}, positionals: 0 },
};

export const USAGE = `deskgate — operator CLI

usage: deskgate <command> [args] [--json]

${Object.values(COMMANDS)
  .map((c) => `  deskgate ${c.usage}`)
  .join("\n")}

  deskgate help [command]   (or: deskgate <command> --help)
  deskgate --version

Add --json to any command for machine-readable output.
Targets DATABASE_URL (and DESKGATE_ENCRYPTION_KEY), or the running ./dg start stack.
Exit codes: 0 done, 1 failed (e.g. not found), 2 wrong usage.`;

/** One command's help. */
export function commandHelp(name: string): string {
  const c = COMMANDS[name]!;
  return `usage: deskgate ${c.usage} [--json]\n\n${c.summary}`;
}
