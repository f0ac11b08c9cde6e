import { z } from "zod";

/**
 * The seed's envelope. The four POST endpoints write `status` as a string ("0" / "-1"),
 * the two GET endpoints as a number (0 / -1). Both shapes are part of the compatibility
 * surface: callers already parse them.
 */
export type StatusStyle = "string" | "number";

export const PostStatus = z.enum(["0", "-1"]);
export const GetStatus = z.union([z.literal(0), z.literal(-1)]);

export function envelopeSchema<T extends z.ZodType>(data: T, style: StatusStyle) {
  return z.object({
    data,
    message: z.string(),
    status: style === "string" ? PostStatus : GetStatus,
  });
}

export interface Envelope<T> {
  data: T;
  message: string;
  status: "0" | "-1" | 0 | -1;
}

export function ok<T>(data: T, style: StatusStyle): Envelope<T> {
  return { data, message: "", status: style === "string" ? "0" : 0 };
}

export function fail<T>(data: T, message: string, style: StatusStyle): Envelope<T> {
  return { data, message, status: style === "string" ? "-1" : -1 };
}
