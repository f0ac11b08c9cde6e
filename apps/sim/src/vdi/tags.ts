import type { SimContext } from "../context.ts";
import { badRequest, VDI, vdiError } from "../errors.ts";
import { type Body, isObject, noContent, objectAt, oneOf, optArray, readBody, reqString } from "../http.ts";
import type { RouteDef } from "../routes.ts";
import type { DesktopRecord, TagRecord } from "../state.ts";
import { findDesktop } from "./desktop-rules.ts";

export const MAX_TAGS = 10;
const CHARS = /^[\p{L}\p{N} _.:=+\-@]*$/u;

/**
 * Desktop tags [SDK workspace_meta.go CreateTag, BatchChangeTags, DeleteTag, ShowTagByDesktopId;
 * model_tag.go, model_tags_req.go; DEF CreateTag, BatchChangeTags, DeleteTag]:
 * - `GET /desktops/{id}/tags` → 200 `{tags:[{key,value}]}`;
 * - `POST /desktops/{id}/tags {tag:{key,value}}` → 204 (an existing key is overwritten);
 * - `POST /desktops/{id}/tags/action {action:"create"|"delete", tags:[…≤20]}` → 204 (create
 *   overwrites; deleting a key that is not there succeeds);
 * - `DELETE /desktops/{id}/tags/{key}` → 204 (a missing key succeeds).
 * An unknown desktop → 404 WKS.99000002. Keys are 1-128 characters, values 0-43, of letters,
 * digits, space and `_.:=+-@`, not starting or ending with a space; a key must not start with
 * `_sys_` (400 WKS.0001). At most 10 tags per desktop (CreateTag doc) → 400 WKS.99000014 [GUESS
 * code]. Tags can change while a job holds the desktop [GUESS].
 */
export function tagRoutes(ctx: SimContext): RouteDef[] {
  const desktop = (id: string | undefined) => findDesktop(ctx, id!);
  return [
    {
      method: "GET",
      path: "/desktops/:desktop_id/tags",
      handler: (c) => {
        const d = desktop(c.req.param("desktop_id"));
        return c.json({ tags: d.tags.map((t) => ({ key: t.key, value: t.value })) });
      },
    },
    {
      method: "POST",
      path: "/desktops/:desktop_id/tags",
      handler: async (c) => {
        const d = desktop(c.req.param("desktop_id"));
        const body = await readBody(c);
        if (!isObject(body.tag))
          throw badRequest("Invalid parameter: tag is required and must be an object.");
        upsert(d, [readTag(body.tag, "tag")]);
        return noContent(c);
      },
    },
    {
      method: "POST",
      path: "/desktops/:desktop_id/tags/action",
      handler: async (c) => {
        const d = desktop(c.req.param("desktop_id"));
        const body = await readBody(c);
        const action = oneOf(reqString(body, "action"), ["create", "delete"] as const, "action");
        const list = optArray(body, "tags", "tags", 20) ?? [];
        if (list.length === 0) throw badRequest("Invalid parameter: tags is required.");
        const tags = list.map((_, i) => readTag(objectAt(list, i, "tags"), `tags[${i}]`));
        if (action === "create") upsert(d, tags);
        else
          remove(
            d,
            tags.map((t) => t.key),
          );
        return noContent(c);
      },
    },
    {
      method: "DELETE",
      path: "/desktops/:desktop_id/tags/:key",
      handler: (c) => {
        remove(desktop(c.req.param("desktop_id")), [c.req.param("key")!]);
        return noContent(c);
      },
    },
  ];
}

function readTag(body: Body, path: string): TagRecord {
  const key = reqString(body, "key", `${path}.key`, 128);
  const raw = body.value ?? "";
  if (typeof raw !== "string") throw badRequest(`Invalid parameter: ${path}.value must be a string.`);
  check(key, `${path}.key`);
  if (key.startsWith("_sys_")) throw badRequest(`Invalid parameter: ${path}.key must not start with _sys_.`);
  if ([...raw].length > 43)
    throw badRequest(`Invalid parameter: ${path}.value must be at most 43 characters.`);
  check(raw, `${path}.value`);
  return { key, value: raw };
}

function check(text: string, path: string): void {
  if (!CHARS.test(text) || text !== text.trim()) {
    throw badRequest(
      `Invalid parameter: ${path} may hold letters, digits, spaces and _.:=+-@ only, and must not start or end with a space.`,
    );
  }
}

/** Adds or overwrites; refuses (changing nothing) when the desktop would hold more than 10. */
function upsert(desktop: DesktopRecord, tags: TagRecord[]): void {
  const next = desktop.tags.map((t) => ({ ...t }));
  for (const tag of tags) {
    const existing = next.find((t) => t.key === tag.key);
    if (existing) existing.value = tag.value;
    else next.push({ ...tag });
  }
  if (next.length > MAX_TAGS) {
    throw vdiError(
      400,
      VDI.tooManyTags,
      `A desktop can have at most ${MAX_TAGS} tags; ${desktop.desktop_id} would have ${next.length}.`,
    );
  }
  desktop.tags = next;
}

function remove(desktop: DesktopRecord, keys: string[]): void {
  desktop.tags = desktop.tags.filter((t) => !keys.includes(t.key));
}
