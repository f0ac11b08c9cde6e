import {
  ApplyRequest,
  DesktopDeleteRequest,
  DesktopLeaseRequest,
  DesktopPowerRequest,
  DesktopRebuildRequest,
  DesktopVolume,
  HpcAccountName,
  PolicyUpdateRequest,
  PolicyUpdateResult,
  PwdResetRequest,
  PwdResetResult,
  ResourceId,
  ResourceUpdateRequest,
  TaskId,
  TaskView,
  UserDesktop,
  UserLockRequest,
  UserLockResult,
  Username,
  UserOffboardRequest,
  VncSession,
  VncSessionId,
} from "@deskgate/contracts";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { acceptApply } from "../services/apply.ts";
import { acceptDesktopDelete } from "../services/desktop-delete.ts";
import { acceptDesktopLease } from "../services/desktop-lease.ts";
import { acceptDesktopPower, acceptDesktopRebuild } from "../services/desktop-power.ts";
import { desktopsOfUser, volumesOfDesktop } from "../services/lookups.ts";
import { updatePolicy } from "../services/policy-update.ts";
import { resetPassword } from "../services/pwd-reset.ts";
import { acceptResourceUpdate } from "../services/resource-update.ts";
import { loadTaskView } from "../services/task-view.ts";
import { isTerminal } from "../services/task-waiter.ts";
import { setUserLock } from "../services/user-lock.ts";
import { acceptUserOffboard } from "../services/user-offboard.ts";
import { closeVnc, listVnc, openVnc } from "../services/vnc.ts";
import { authed, idempotencyOfInput, router, unwrap, withIdempotency } from "./core.ts";

const Accepted = z.object({ task_id: TaskId });
/** How often `tasks.watch` reads a running task for new steps, and a settled one's retrying callback. */
const WATCH_STEPS_MS = 2000;
const WATCH_IDLE_MS = 30_000;
const desktop = authed("desktop");
const hpc = authed("hpc");
const anyKey = authed("any");

/**
 * The tRPC router: the REST operations over the same services and contracts, plus task
 * queries and a live subscription (SSE) of a task's progress.
 */
export const appRouter = router({
  desktop: router({
    /** POST /api/desktop/apply (`apply` is a reserved name in tRPC routers). */
    open: desktop
      .input(withIdempotency(ApplyRequest))
      .output(Accepted)
      .mutation(async ({ ctx, input }) => {
        const { body, idem } = idempotencyOfInput(ctx, "desktop.open", input);
        return unwrap(await acceptApply(ctx.deps, ctx.caller, body, idem), ctx.lang);
      }),
    resourceUpdate: desktop
      .input(withIdempotency(ResourceUpdateRequest))
      .output(Accepted)
      .mutation(async ({ ctx, input }) => {
        const { body, idem } = idempotencyOfInput(ctx, "desktop.resourceUpdate", input);
        return unwrap(await acceptResourceUpdate(ctx.deps, ctx.caller, body, idem), ctx.lang);
      }),
    policyUpdate: desktop
      .input(withIdempotency(PolicyUpdateRequest))
      .output(PolicyUpdateResult.partial())
      .mutation(async ({ ctx, input }) => {
        const { body, idem } = idempotencyOfInput(ctx, "desktop.policyUpdate", input);
        return unwrap(await updatePolicy(ctx.deps, ctx.caller, body, idem), ctx.lang);
      }),
    delete: desktop
      .input(withIdempotency(DesktopDeleteRequest))
      .output(Accepted)
      .mutation(async ({ ctx, input }) => {
        const { body, idem } = idempotencyOfInput(ctx, "desktop.delete", input);
        return unwrap(await acceptDesktopDelete(ctx.deps, ctx.caller, body, idem), ctx.lang);
      }),
    lease: desktop
      .input(withIdempotency(DesktopLeaseRequest))
      .output(Accepted)
      .mutation(async ({ ctx, input }) => {
        const { body, idem } = idempotencyOfInput(ctx, "desktop.lease", input);
        return unwrap(await acceptDesktopLease(ctx.deps, ctx.caller, body, idem), ctx.lang);
      }),
    power: desktop
      .input(withIdempotency(DesktopPowerRequest))
      .output(Accepted)
      .mutation(async ({ ctx, input }) => {
        const { body, idem } = idempotencyOfInput(ctx, "desktop.power", input);
        return unwrap(await acceptDesktopPower(ctx.deps, ctx.caller, body, idem), ctx.lang);
      }),
    rebuild: desktop
      .input(withIdempotency(DesktopRebuildRequest))
      .output(Accepted)
      .mutation(async ({ ctx, input }) => {
        const { body, idem } = idempotencyOfInput(ctx, "desktop.rebuild", input);
        return unwrap(await acceptDesktopRebuild(ctx.deps, ctx.caller, body, idem), ctx.lang);
      }),
    volumes: desktop
      .input(z.object({ desktop_uuid: ResourceId }))
      .output(z.array(DesktopVolume))
      .query(async ({ ctx, input }) =>
        unwrap(await volumesOfDesktop(ctx.deps, ctx.caller, input.desktop_uuid), ctx.lang),
      ),
  }),
  user: router({
    pwdReset: desktop
      .input(withIdempotency(PwdResetRequest))
      .output(PwdResetResult.partial())
      .mutation(async ({ ctx, input }) => {
        const { body, idem } = idempotencyOfInput(ctx, "user.pwdReset", input);
        return unwrap(await resetPassword(ctx.deps, ctx.caller, body, idem), ctx.lang);
      }),
    lock: desktop
      .input(withIdempotency(UserLockRequest))
      .output(UserLockResult.partial())
      .mutation(async ({ ctx, input }) => {
        const { body, idem } = idempotencyOfInput(ctx, "user.lock", input);
        return unwrap(await setUserLock(ctx.deps, ctx.caller, true, body, idem), ctx.lang);
      }),
    unlock: desktop
      .input(withIdempotency(UserLockRequest))
      .output(UserLockResult.partial())
      .mutation(async ({ ctx, input }) => {
        const { body, idem } = idempotencyOfInput(ctx, "user.unlock", input);
        return unwrap(await setUserLock(ctx.deps, ctx.caller, false, body, idem), ctx.lang);
      }),
    offboard: desktop
      .input(withIdempotency(UserOffboardRequest))
      .output(Accepted)
      .mutation(async ({ ctx, input }) => {
        const { body, idem } = idempotencyOfInput(ctx, "user.offboard", input);
        return unwrap(await acceptUserOffboard(ctx.deps, ctx.caller, body, idem), ctx.lang);
      }),
    desktops: desktop
      .input(z.object({ username: Username }))
      .output(z.array(UserDesktop))
      .query(async ({ ctx, input }) =>
        unwrap(await desktopsOfUser(ctx.deps, ctx.caller, input.username), ctx.lang),
      ),
  }),
  hpc: router({
    vncOpen: hpc
      .input(withIdempotency(z.object({ account: HpcAccountName })))
      .output(VncSession.extend({ task_id: z.string() }).partial())
      .mutation(async ({ ctx, input }) => {
        const { body, idem } = idempotencyOfInput(ctx, "hpc.vncOpen", input);
        return unwrap(await openVnc(ctx.deps, ctx.caller, body.account, idem), ctx.lang);
      }),
    vncList: hpc
      .input(z.object({ account: HpcAccountName }))
      .output(z.array(VncSession))
      .query(async ({ ctx, input }) => {
        const outcome = await listVnc(ctx.deps, ctx.caller, input.account);
        // not ready within the bound: REST answers 202 with [] and X-Task-Id; a query cannot say
        // "accepted", and [] would read as "no sessions", so it is TIMEOUT naming the task
        const pending =
          outcome.kind === "reply" && outcome.http === 202 ? outcome.headers?.["X-Task-Id"] : undefined;
        if (pending) {
          throw new TRPCError({
            code: "TIMEOUT",
            message: `the list was not ready within the bound; task ${pending} goes on (tasks.get, tasks.watch)`,
          });
        }
        return unwrap(outcome, ctx.lang);
      }),
    vncClose: hpc
      .input(withIdempotency(z.object({ account: HpcAccountName, sessionId: VncSessionId })))
      .output(z.object({ task_id: z.string(), sessionId: z.string() }).partial())
      .mutation(async ({ ctx, input }) => {
        const { body, idem } = idempotencyOfInput(ctx, "hpc.vncClose", input);
        return unwrap(await closeVnc(ctx.deps, ctx.caller, body.account, body.sessionId, idem), ctx.lang);
      }),
  }),
  tasks: router({
    get: anyKey
      .input(z.object({ task_id: TaskId }))
      .output(TaskView)
      .query(async ({ ctx, input }) => {
        const view = await loadTaskView(ctx.deps, ctx.caller, input.task_id);
        if (!view) throw new TRPCError({ code: "NOT_FOUND", message: `task ${input.task_id} is not known` });
        return view;
      }),
    /**
     * Emits the task's view on every change (state, steps, deliveries); ends once the task is
     * terminal and no callback of it is still pending, so the last view carries the callback's
     * final delivery state (issue 16.2). Woken by NOTIFY (the task's end, a delivery's
     * attempt); steps in between are read by a slow fallback, not polled fast (issue 17.10).
     */
    watch: anyKey.input(z.object({ task_id: TaskId })).subscription(async function* ({ ctx, input, signal }) {
      let last = "";
      for (;;) {
        const view = await loadTaskView(ctx.deps, ctx.caller, input.task_id);
        if (!view) throw new TRPCError({ code: "NOT_FOUND", message: `task ${input.task_id} is not known` });
        const json = JSON.stringify(view);
        if (json !== last) {
          last = json;
          yield view;
        }
        const settled = isTerminal(view.state) && view.callbacks.every((c) => c.state !== "pending");
        if (settled || signal?.aborted) return;
        // a callback retrying for hours needs no quick look: NOTIFY wakes the watch when it settles
        await ctx.deps.waiter.nudge(
          input.task_id,
          isTerminal(view.state) ? WATCH_IDLE_MS : WATCH_STEPS_MS,
          async () => JSON.stringify(await loadTaskView(ctx.deps, ctx.caller, input.task_id)) !== last,
        );
      }
    }),
  }),
});

export type AppRouter = typeof appRouter;
