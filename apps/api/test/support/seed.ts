import { upsertDesktop, upsertUser, upsertVolume } from "@deskgate/db";
import { EXAMPLE_DESKTOP_UUID, EXAMPLE_USER } from "../../src/openapi/examples.ts";
import { DESKTOP_TENANT, type Stack } from "./stack.ts";

export const GIB = 1024 ** 3;

/**
 * Mirror rows for request-time checks without the platform: the examples' user and desktop,
 * and further desktops with one and with two data disks; all of `tenant` (default: the stack's
 * desktop key's).
 */
export async function seedMirror(stack: Stack, tenant: string = DESKTOP_TENANT) {
  const db = stack.database.db;
  await upsertUser(db, {
    username: EXAMPLE_USER,
    upstreamId: "u-1",
    groupName: "xxx",
    createdByTask: null,
    tenant,
  });
  const desktop = (uuid: string, name: string) =>
    upsertDesktop(db, {
      tenant,
      desktopUuid: uuid,
      desktopName: name,
      username: EXAMPLE_USER,
      os: "win10",
      status: "ACTIVE",
    });
  await desktop(EXAMPLE_DESKTOP_UUID, "xxx01-example");
  await desktop("desk-one-disk", "xxx01-one");
  await desktop("desk-two-disks", "xxx01-two");
  await upsertVolume(db, {
    volumeUuid: "vol-a",
    desktopUuid: "desk-one-disk",
    volumeName: "data-a",
    sizeBytes: 50 * GIB,
    status: "in-use",
  });
  await upsertVolume(db, {
    volumeUuid: "vol-b1",
    desktopUuid: "desk-two-disks",
    volumeName: "data-b1",
    sizeBytes: 20 * GIB,
    status: "in-use",
  });
  await upsertVolume(db, {
    volumeUuid: "vol-b2",
    desktopUuid: "desk-two-disks",
    volumeName: "data-b2",
    sizeBytes: 30 * GIB,
    status: "in-use",
  });
  return { desktopUuid: EXAMPLE_DESKTOP_UUID, username: EXAMPLE_USER };
}
