import { type PwdResetRequest, PwdResetResult } from "@deskgate/contracts";
import { type Executor, type TaskRow, takeSealedPassword } from "@deskgate/db";
import { type Caller, isAdmin } from "../caller.ts";
import type { ApiDeps } from "../deps.ts";
import type { IdempotentRequest } from "./idempotency.ts";
import { userRefusal } from "./ownership.ts";
import type { Outcome, Reply } from "./reply.ts";
import { submitTask } from "./submit.ts";
import { answerFromTask, inOrder } from "./task-answer.ts";

/**
 * Reset a user's password (SPEC 2.4), synchronously. The request stored on the task never
 * holds the password in clear: a chosen one travels sealed (`password_sealed`, AES-256-GCM);
 * `password: ""` asks for the default. The worker hands the
 * password that was set back sealed in `tasks.progress.sealedPassword`, which the api takes
 * (reads and removes) once and puts only into this answer (and, sealed, into a stored
 * idempotent response).
 */
export async function resetPassword(
  deps: ApiDeps,
  caller: Caller,
  input: PwdResetRequest,
  idem?: IdempotentRequest,
): Promise<Outcome> {
  // `password: ""` = use the default; a chosen password is stored only sealed.
  const request =
    input.password === ""
      ? { username: input.username, password: "" }
      : { username: input.username, password_sealed: deps.box.seal(input.password) };
  return submitTask(
    deps,
    caller,
    {
      kind: "user.pwd_reset",
      request,
      callbackUrl: null,
      // another tenant's user is unknown now; for admin the platform decides (404 from the task)
      check: async () => (isAdmin(caller) ? null : userRefusal(deps, caller, input.username)),
      answer: (task, db) => answerPwdReset(deps, task, db),
    },
    idem,
  );
}

async function answerPwdReset(deps: ApiDeps, task: TaskRow, db: Executor): Promise<Reply> {
  const reply = answerFromTask(task, [], (result) => result);
  if (!reply.ok) return reply;
  const sealed = await takeSealedPassword(db, task.id);
  const result = reply.data as Record<string, unknown>;
  const request = task.request as { username: string };
  const { username = request.username, ...rest } = result;
  return {
    ...reply,
    data: inOrder(Object.keys(PwdResetResult.shape), {
      task_id: task.id,
      username,
      password: sealed ? deps.box.open(sealed) : "",
      ...rest,
    }),
    secret: true,
  };
}
