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

/**
 * Approval metadata (issue 14): the approval workflow's ticket and who asked, on every POST.
 * Kept on the task (searchable on /ops and in the CLI), on a desktop an apply makes, echoed in
 * the callback, and pushed to the platform as desktop tags where it has them.
 */
export const TicketId = z
  .string({ error: "must be a string" })
  .min(1, { error: "must not be empty" })
  .max(64, { error: "must be at most 64 characters" })
  .regex(NO_CONTROL_CHARACTERS, { error: "must not contain control characters" });

export const Requester = z
  .string({ error: "must be a string" })
  .min(1, { error: "must not be empty" })
  .max(128, { error: "must be at most 128 characters" })
  .regex(NO_CONTROL_CHARACTERS, { error: "must not contain control characters" });

/** The optional approval fields every POST body takes (spread into its object schema). */
export const ApprovalFields = {
  ticket_id: TicketId.optional(),
  requester: Requester.optional(),
};

/** The same fields as a callback echoes them (only those the request carried). */
export const ApprovalEcho = {
  ticket_id: z.string().optional(),
  requester: z.string().optional(),
};

/** A request's approval metadata, whatever its kind (null when absent). */
export function approvalOf(request: unknown): { ticketId: string | null; requester: string | null } {
  const r = (request ?? {}) as { ticket_id?: unknown; requester?: unknown };
  return {
    ticketId: typeof r.ticket_id === "string" ? r.ticket_id : null,
    requester: typeof r.requester === "string" ? r.requester : null,
  };
}

/** The longest lease an apply may set: about five years. */
export const LEASE_MAX_DAYS = 1826;

/**
 * A lease's end (issue 14): an ISO 8601 timestamp with its offset (`2027-01-31T18:00:00Z`),
 * in the future and at most LEASE_MAX_DAYS ahead.
 */
export const LeaseExpiry = z.iso
  .datetime({
    offset: true,
    error: "must be an ISO 8601 timestamp with a time zone (e.g. 2027-01-31T18:00:00Z)",
  })
  .refine((v) => Date.parse(v) > Date.now(), { error: "must be in the future" })
  .refine((v) => Date.parse(v) <= Date.now() + LEASE_MAX_DAYS * 86_400_000, {
    error: `must be at most ${LEASE_MAX_DAYS} days ahead`,
  });
