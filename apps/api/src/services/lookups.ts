import type { DesktopVolume, UserDesktop } from "@deskgate/contracts";
import { findUser, getDesktopRow, listDesktopsOfUser, listVolumesOfDesktop } from "@deskgate/db";
import type { ApiDeps } from "../deps.ts";
import { type Outcome, rejected, success, text } from "./reply.ts";

/** GET /api/user/{username}/desktops (SPEC 2.5), from deskgate's own tables. */
export async function desktopsOfUser(deps: ApiDeps, username: string): Promise<Outcome> {
  const user = await findUser(deps.database.db, username);
  if (!user) return rejected("not_found", text(`user ${username} is not known`, `用户 ${username} 不存在`));
  const rows = await listDesktopsOfUser(deps.database.db, username);
  const data: UserDesktop[] = rows.map((d) => ({ desktop_uuid: d.desktopUuid, desktop_name: d.desktopName }));
  return success(data);
}

/** GET /api/desktop/{uuid}/volumes (SPEC 2.6): data disks, sizes in bytes. */
export async function volumesOfDesktop(deps: ApiDeps, desktopUuid: string): Promise<Outcome> {
  const desktop = await getDesktopRow(deps.database.db, desktopUuid);
  if (!desktop) {
    return rejected("not_found", text(`desktop ${desktopUuid} is not known`, `桌面 ${desktopUuid} 不存在`));
  }
  const rows = await listVolumesOfDesktop(deps.database.db, desktopUuid);
  const data: DesktopVolume[] = rows.map((v) => ({
    volume_uuid: v.volumeUuid,
    volume_name: v.volumeName,
    volume_size: v.sizeBytes,
    volume_status: v.status as DesktopVolume["volume_status"],
  }));
  return success(data);
}
