import { z } from "zod";
import { envelopeSchema } from "../envelope.ts";
import { ApprovalEcho, ApprovalFields, CallbackUrl, LeaseExpiry, ResourceId, TaskId } from "../fields.ts";

/**
 * POST /api/desktop/lease — sets a new end for the desktop's lease (extends it, shortens it,
 * or gives a desktop without one a lease). Asynchronous: the outcome is the callback. Allowed
 * until the lease's delete has begun; during the grace period after expiry it also unlocks the
 * user the expiry locked. From then on the lease's notices go to this request's callback URL.
 */
export const DesktopLeaseRequest = z.object({
  desktop_uuid: ResourceId,
  expires_at: LeaseExpiry,
  callback_url: CallbackUrl,
  ...ApprovalFields,
});
export type DesktopLeaseRequest = z.infer<typeof DesktopLeaseRequest>;

/** The callback's `data` on success of an extension. */
export const DesktopLeaseResult = z.object({
  task_id: TaskId,
  desktop_uuid: z.string(),
  username: z.string(),
  expires_at: z.string(),
  /** The end before this request (null: the desktop had no lease). */
  previous_expires_at: z.string().nullable(),
  /** The lease had expired and its user was locked: unlocked again. */
  user_unlocked: z.boolean(),
  note: z.string().optional(),
  ...ApprovalEcho,
});
export type DesktopLeaseResult = z.infer<typeof DesktopLeaseResult>;

export const DesktopLeaseCallback = envelopeSchema(DesktopLeaseResult, "string");

/** What a lease step's callback says (`event` names the step; the callback goes to the lease's URL). */
const leaseEventBase = {
  task_id: TaskId,
  desktop_uuid: z.string(),
  username: z.string(),
  expires_at: z.string(),
  note: z.string().optional(),
  ...ApprovalEcho,
};

/** `lease.expiring`: sent DESKGATE_LEASE_NOTICE_DAYS before the end (nothing changes yet). */
export const LeaseExpiringEvent = z.object({
  ...leaseEventBase,
  event: z.literal("lease.expiring"),
  /** When the desktop is locked, then deleted, unless the lease is extended. */
  lock_at: z.string(),
  delete_at: z.string(),
});

/**
 * `lease.expire`: the lease ended. The user is locked unless they still have another desktop in
 * use (no lease, or one not ended); the desktop is deleted at `delete_at` unless extended.
 */
export const LeaseExpireEvent = z.object({
  ...leaseEventBase,
  event: z.literal("lease.expire"),
  user_locked: z.boolean(),
  delete_at: z.string(),
});

/** `lease.delete`: the grace period ended; the desktop (with its data disks) was deleted. */
export const LeaseDeleteEvent = z.object({
  ...leaseEventBase,
  event: z.literal("lease.delete"),
  already_gone: z.boolean(),
  volume_uuids: z.array(z.string()),
  user_deleted: z.boolean(),
});

/**
 * A lease step that found the lease changed since it was claimed (an extension came first)
 * ends with `skipped: true` and does nothing.
 */
export const LeaseSkipped = z.object({
  ...leaseEventBase,
  event: z.enum(["lease.expiring", "lease.expire", "lease.delete"]),
  skipped: z.literal(true),
});

export const LeaseEventCallback = envelopeSchema(
  z.union([LeaseExpiringEvent, LeaseExpireEvent, LeaseDeleteEvent, LeaseSkipped]),
  "string",
);
