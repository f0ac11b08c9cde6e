/** A mistake in how the CLI was called: printed with the usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export const USAGE = `deskgate — operator CLI

  deskgate tasks list [--state S] [--kind K] [--search ID|USER|DESKTOP] [--limit N]
  deskgate tasks show <task_id>
  deskgate tasks retry <task_id>        (a failed or cancelled task resumes)
  deskgate tasks cancel <task_id>       (a queued or running task; its callback says so)
  deskgate callbacks redeliver <delivery_id|task_id>   (a task id: its latest callback)
  deskgate keys create <name> --scopes desktop,hpc,admin [--rate-limit N]
  deskgate keys list
  deskgate keys revoke <name>
  deskgate hpc accounts add <name> --user U --org ORG   (password read from stdin)
  deskgate hpc accounts list
  deskgate hpc accounts remove <name>
  deskgate db migrate

Add --json to any command for machine-readable output.
Targets DATABASE_URL (and DESKGATE_ENCRYPTION_KEY), or the running ./dg start stack.`;
