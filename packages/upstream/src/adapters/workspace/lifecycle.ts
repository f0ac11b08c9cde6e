import { UpstreamError } from "../../errors.ts";
import type { DesktopPlatform, PlatformDesktop } from "../../port.ts";
import { permanent, seg, type WsCall } from "./client.ts";
import type { WorkspaceOptions } from "./options.ts";
import type { WsDesktop, WsSubJob } from "./types.ts";

type LifecycleMethods = Pick<
  DesktopPlatform,
  "lockUser" | "unlockUser" | "deleteDesktops" | "rebuildDesktop" | "findRebuildJob"
>;

const MAX_BATCH = 100;

/**
 * The desktop lifecycle on Workspace v2:
 * - lock / unlock: ChangeUserStatus `POST /users/{id}/actions {"op_type":"LOCK"|"UNLOCK"}` → 204
 *   (synchronous; an unknown user is 400 WKS.00170312 → not_found);
 * - delete: BatchDeleteDesktops `POST /desktops/batch-delete {desktop_ids, delete_users,
 *   email_notification:false}` → 202 `{job_id}` (`deleteDesktops`);
 * - rebuild: BatchRebuildDesktopsSystemDisk `POST /desktops/rebuild {desktop_ids, image_type,
 *   image_id}` → 200 `{job_id}` (`rebuildDesktops`); a lost answer is found again among the
 *   `rebuildDesktops` sub-jobs (ListItaSubJobs `GET /workspace-sub-jobs?job_type=`), by desktop
 *   id and `begin_time`.
 */
export function lifecycleMethods(
  call: WsCall,
  opts: WorkspaceOptions,
  getDesktop: (id: string) => Promise<PlatformDesktop | null>,
): LifecycleMethods {
  const userAction = (what: string, userId: string, op: "LOCK" | "UNLOCK") =>
    call<void>(what, "POST", `/users/${seg(userId)}/actions`, { op_type: op });

  /** The desktops still there and not already being deleted. */
  const deletable = async (ids: string[]) => {
    const found = await Promise.all(ids.map((id) => getDesktop(id)));
    return found.filter((d): d is PlatformDesktop => d !== null && d.state !== "deleting").map((d) => d.id);
  };

  return {
    async lockUser(userId) {
      await userAction("lock user", userId, "LOCK");
    },

    async unlockUser(userId) {
      await userAction("unlock user", userId, "UNLOCK");
    },

    async deleteDesktops(desktopIds, options = {}) {
      const ids = [...new Set(desktopIds)];
      if (ids.length > MAX_BATCH) {
        throw permanent(`delete desktops: at most ${MAX_BATCH} desktops per call, got ${ids.length}`);
      }
      // The batch call refuses a whole request naming a desktop that is gone (404): look first,
      // and look again if one vanished between the look and the call.
      for (let attempt = 0; ; attempt++) {
        const todo = await deletable(ids);
        if (todo.length === 0) return { jobId: null };
        try {
          const data = await call<{ job_id: string }>("delete desktops", "POST", "/desktops/batch-delete", {
            desktop_ids: todo,
            delete_users: options.deleteUsers ?? false,
            email_notification: false,
          });
          return { jobId: data.job_id };
        } catch (e) {
          const vanished = e instanceof UpstreamError && e.reason === "not_found";
          if (!vanished || attempt >= 2) throw e;
        }
      }
    },

    async rebuildDesktop(desktopId, options = {}) {
      const image = options.os ? configuredImage(opts, options.os) : await currentImage(call, desktopId);
      const data = await call<{ job_id: string }>("rebuild desktop", "POST", "/desktops/rebuild", {
        desktop_ids: [desktopId],
        image_type: image.type,
        image_id: image.id,
      });
      return { jobId: data.job_id };
    },

    async findRebuildJob(desktopId, since) {
      const limit = 1000;
      for (let offset = 0; ; offset += limit) {
        const page = await call<{ total_count?: number; jobs?: WsSubJob[] }>(
          "find rebuild job",
          "GET",
          `/workspace-sub-jobs?job_type=rebuildDesktops&limit=${limit}&offset=${offset}`,
        );
        const jobs = page.jobs ?? [];
        const mine = jobs.find(
          (j) => j.entities?.desktop_id === desktopId && plainUtc(j.begin_time) >= since.getTime(),
        );
        if (mine?.job_id) return mine.job_id;
        if (jobs.length < limit || offset + limit >= (page.total_count ?? 0)) return null;
      }
    },
  };
}

/** `2020-04-10 06:45:14` (UTC, the platform's job times) → epoch ms; unreadable → 0. */
function plainUtc(time: string | undefined): number {
  const ms = time ? Date.parse(`${time.replace(" ", "T")}Z`) : Number.NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

/** The image create uses for this os (gold); an os without one is refused before any call. */
function configuredImage(opts: WorkspaceOptions, os: keyof WorkspaceOptions["images"]) {
  const id = opts.images[os];
  if (!id) {
    const known = Object.keys(opts.images).join(", ") || "none";
    throw permanent(`rebuild desktop: no image is configured for os ${os} (available: ${known})`);
  }
  return { id, type: "gold" };
}

/** The image the desktop runs now, from its detail's metadata. */
async function currentImage(call: WsCall, desktopId: string) {
  const { desktop } = await call<{ desktop: WsDesktop }>(
    "rebuild desktop",
    "GET",
    `/desktops/${seg(desktopId)}`,
  );
  const id = desktop.metadata?.["metering.image_id"];
  if (!id)
    throw permanent(`rebuild desktop: the platform does not say which image desktop ${desktopId} runs`);
  return { id, type: desktop.metadata?.["metering.imagetype"] || "gold" };
}
