import { z } from "zod";
import { envelopeSchema } from "../envelope.ts";

/** GET /api/user/{username}/desktops — `status` is a number on the GETs. */
export const UserDesktop = z.object({ desktop_uuid: z.string(), desktop_name: z.string() });
export type UserDesktop = z.infer<typeof UserDesktop>;

export const UserDesktopsResponse = envelopeSchema(z.array(UserDesktop), "number");
