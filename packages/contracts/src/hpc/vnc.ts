import { z } from "zod";
import { envelopeSchema } from "../envelope.ts";

/** An HPC account name as deskgate knows it (the `{account}` path segment). */
export const HpcAccountName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: "may contain only letters, digits, '.', '_' and '-'" });

/** A VNC session's id as the platform gives it (the path segment of a close). */
export const VncSessionId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, { error: "may contain only letters, digits, '.', '_', ':' and '-'" });

/** A VNC session: the fields of seed 001, as the platform names them, plus its launch URL. */
export const VncSession = z.object({
  id: z.string(),
  createDate: z.string(),
  hostname: z.string(),
  jobs: z.string(),
  length: z.string(),
  width: z.string(),
  name: z.string(),
  sid: z.string(),
  user: z.string(),
  ip: z.string(),
  sessionId: z.string(),
  launchUrl: z.string().optional(),
});
export type VncSession = z.infer<typeof VncSession>;

export const VncOpenResponse = envelopeSchema(VncSession.extend({ task_id: z.string() }).partial(), "string");
export const VncListResponse = envelopeSchema(z.array(VncSession), "number");
export const VncCloseResponse = envelopeSchema(
  z.object({ task_id: z.string(), sessionId: z.string() }).partial(),
  "string",
);
