/** `2022-01-21T06:57:47.459Z`: desktop detail `created`, volume `create_time`. */
export function isoTime(date: Date): string {
  return date.toISOString();
}

/** `2022-02-23 04:02:07` (UTC): list `created`, job `begin_time` / `end_time`, SCNet `createDate`. */
export function plainTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace("T", " ");
}
