import { type Language, languageOf } from "@deskgate/contracts";
import type { Context } from "hono";

/** Accept-Language: zh-CN → Chinese messages; anything else → English. */
export function languageFor(c: Context): Language {
  return languageOf(c.req.header("accept-language"));
}
