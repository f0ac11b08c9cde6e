import type { DesktopPlatform } from "../../port.ts";
import { seg, unlessNotFound, type WsCall } from "./client.ts";
import { tagRecord } from "./desktop-fields.ts";
import type { WsTag } from "./types.ts";

type TagMethods = Pick<DesktopPlatform, "getDesktopTags" | "setDesktopTags" | "removeDesktopTags">;

/** BatchChangeTags takes at most 20 tags per call (a desktop holds at most 10). */
const PER_CALL = 20;

/**
 * Desktop tags: ShowTagByDesktopId `GET /desktops/{id}/tags` → `{tags:[{key,value}]}`;
 * BatchChangeTags `POST /desktops/{id}/tags/action {action:"create"|"delete", tags}` → 204
 * (create overwrites a key; deleting a missing key succeeds). Keys 1-128 and values 0-43
 * characters of letters, digits, space and `_.:=+-@`; at most 10 tags per desktop. The platform
 * checks them (400 → "invalid").
 */
export function tagMethods(call: WsCall): TagMethods {
  const change = async (desktopId: string, action: "create" | "delete", tags: WsTag[]) => {
    for (let i = 0; i < tags.length; i += PER_CALL) {
      await call(
        `${action === "create" ? "set" : "remove"} desktop tags`,
        "POST",
        `/desktops/${seg(desktopId)}/tags/action`,
        {
          action,
          tags: tags.slice(i, i + PER_CALL),
        },
      );
    }
  };
  return {
    async getDesktopTags(desktopId) {
      const data = await call<{ tags?: WsTag[] }>(
        "read desktop tags",
        "GET",
        `/desktops/${seg(desktopId)}/tags`,
      );
      return tagRecord(data.tags);
    },

    async setDesktopTags(desktopId, tags) {
      await change(
        desktopId,
        "create",
        Object.entries(tags).map(([key, value]) => ({ key, value })),
      );
    },

    async removeDesktopTags(desktopId, keys) {
      await unlessNotFound(
        () =>
          change(
            desktopId,
            "delete",
            [...new Set(keys)].map((key) => ({ key })),
          ),
        undefined,
      );
    },
  };
}
