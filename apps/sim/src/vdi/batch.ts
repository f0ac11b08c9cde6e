import type { SimContext } from "../context.ts";
import { badRequest } from "../errors.ts";
import { type Body, optArray } from "../http.ts";
import type { DesktopRecord } from "../state.ts";
import { findDesktop } from "./desktop-rules.ts";

/**
 * `desktop_ids` of the batch calls (BatchDeleteDesktops, BatchRunDesktops,
 * BatchRebuildDesktopsSystemDisk): 1-100 distinct strings, each a desktop that exists
 * (an unknown one → 404 WKS.99000002 for the whole request, nothing changed [GUESS]).
 */
export function readDesktopIds(ctx: SimContext, body: Body, max = 100): DesktopRecord[] {
  const list = optArray(body, "desktop_ids", "desktop_ids", max) ?? [];
  if (list.length === 0) throw badRequest("Invalid parameter: desktop_ids is required.");
  const ids = list.map((id, i) => {
    if (typeof id !== "string" || id === "" || id.length > 255) {
      throw badRequest(`Invalid parameter: desktop_ids[${i}] must be a desktop id.`);
    }
    return id;
  });
  if (new Set(ids).size !== ids.length)
    throw badRequest("Invalid parameter: a desktop appears more than once.");
  return ids.map((id) => findDesktop(ctx, id));
}
