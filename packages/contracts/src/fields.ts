import { z } from "zod";

/**
 * No control characters (U+0000–U+001F, U+007F). PostgreSQL text and jsonb cannot hold NUL:
 * a NUL that reached a query answered 500 (found by `pnpm drills`, fuzz).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/;

/** A platform object id from a caller (desktop or volume uuid): 1–64 characters, no control characters. */
export const ResourceId = z
  .string({ error: "must be a string" })
  .min(1, { error: "must not be empty" })
  .max(64, { error: "must be at most 64 characters" })
  .regex(NO_CONTROL_CHARACTERS, { error: "must not contain control characters" });

/** A callback target: an absolute http(s) URL. The SSRF policy is checked separately. */
export const CallbackUrl = z
  .string({ error: "must be a string" })
  .max(2048, { error: "must be at most 2048 characters" })
  .regex(NO_CONTROL_CHARACTERS, { error: "must not contain control characters" })
  .refine(
    (value) => {
      if (!URL.canParse(value)) return false;
      const url = new URL(value);
      return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
    },
    { error: "must be an absolute http or https URL" },
  );

export const DesktopOs = z.enum(["win7", "win10", "kylin", "macos"], {
  error: "must be one of win7, win10, kylin, macos",
});
export type DesktopOs = z.infer<typeof DesktopOs>;

/**
 * A platform user name or a group name (the seed's `username`). Workspace allows
 * `[a-zA-Z0-9][a-zA-Z0-9._-]{0,30}[a-zA-Z0-9-]`; group rules are checked when the name
 * turns out not to be an existing user.
 */
export const Username = z
  .string({ error: "must be a string" })
  .min(1, { error: "must not be empty" })
  .max(32, { error: "must be at most 32 characters" })
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9-])?$/, {
    error: "may contain only letters, digits, '.', '_' and '-', and must start with a letter or digit",
  });

export const TaskId = z.uuid({ error: "must be a task id (UUID)" });
