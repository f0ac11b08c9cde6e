import type { DesktopVolume, UserDesktop } from "@deskgate/contracts";
import { listDesktopsOfUser, listVolumesOfDesktop } from "@deskgate/db";
import { type Caller, canSee } from "../caller.ts";
import type { ApiDeps } from "../deps.ts";
import { unknownDesktop, unknownUser, visibleDesktop, visibleUser } from "./ownership.ts";
import { type Outcome, success } from "./reply.ts";

/**
 * GET /api/user/{username}/desktops (SPEC 2.5), from deskgate's own tables: the caller's
 * user's desktops that are the caller's too (one made outside deskgate waits for an assignment).
 */
export async function desktopsOfUser(deps: ApiDeps, caller: Caller, username: string): Promise<Outcome> {
  if (!(await visibleUser(deps, caller, username))) return unknownUser(username);
  const rows = (await listDesktopsOfUser(deps.database.db, username)).filter((d) => canSee(caller, d));
  const data: UserDesktop[] = rows.map((d) => ({ desktop_uuid: d.desktopUuid, desktop_name: d.desktopName }));
  return success(data);
}

/** GET /api/desktop/{uuid}/volumes (SPEC 2.6): data disks, sizes in bytes. */
export async function volumesOfDesktop(deps: ApiDeps, caller: Caller, desktopUuid: string): Promise<Outcome> {
  if (!(await visibleDesktop(deps, caller, desktopUuid))) return unknownDesktop(desktopUuid);
  const rows = await listVolumesOfDesktop(deps.database.db, desktopUuid);
  const data: DesktopVolume[] = rows.map((v) => ({
    volume_uuid: v.volumeUuid,
    volume_name: v.volumeName,
    volume_size: v.sizeBytes,
    volume_status: v.status as DesktopVolume["volume_status"],
  }));
  return success(data);
}
