import { randomInt } from "node:crypto";
import { VDI, vdiError } from "../errors.ts";
import type { UserRecord } from "../state.ts";

const USER_NAME = /^(?:[a-zA-Z0-9]{1,32}|[a-zA-Z0-9][a-zA-Z0-9._-]{0,30}[a-zA-Z0-9-])$/;

/** CreateUserRequest.user_name: ≤ 32 characters of the documented pattern (UPSTREAM-VDI 2.1). */
export function checkUserName(name: string): void {
  if (!USER_NAME.test(name)) {
    throw vdiError(
      400,
      VDI.userNameInvalid,
      `Invalid user name "${name}": 1-32 characters of letters, digits, ".", "_" and "-", starting with a letter or digit and not ending with "." or "_".`,
    );
  }
}

const CLASSES: [RegExp, string][] = [
  [/[A-Z]/, "uppercase letters"],
  [/[a-z]/, "lowercase letters"],
  [/[0-9]/, "digits"],
  [/[^A-Za-z0-9]/, "special characters"],
];

/**
 * The password rule (UPSTREAM-VDI 5.2, a guess after Huawei's ECS rule): 8-32 printable ASCII
 * characters, at least three of the four classes, not containing the user name or its reverse,
 * and (when changing) not one of the user's last five passwords.
 */
export function checkPassword(password: string, userName: string, history: readonly string[] = []): void {
  if (password.length < 8 || password.length > 32 || !/^[\x21-\x7e]+$/.test(password)) {
    throw vdiError(
      400,
      VDI.passwordComplexity,
      "The password does not meet the complexity requirements: it must be 8-32 printable ASCII characters without spaces.",
    );
  }
  const present = CLASSES.filter(([re]) => re.test(password)).length;
  if (present < 3) {
    throw vdiError(
      400,
      VDI.passwordComplexity,
      "The password does not meet the complexity requirements: it must contain at least three of uppercase letters, lowercase letters, digits and special characters.",
    );
  }
  if (containsName(password, userName)) {
    throw vdiError(
      400,
      VDI.passwordContainsName,
      "The password must not contain the user name or the user name reversed.",
    );
  }
  if (history.includes(password)) {
    throw vdiError(
      400,
      VDI.passwordHistory,
      "The password must differ from the last 5 passwords of the user.",
    );
  }
}

/** Names shorter than three characters are not checked (any password would contain them). */
function containsName(password: string, userName: string): boolean {
  if (userName.length < 3) return false;
  const lower = password.toLowerCase();
  const name = userName.toLowerCase();
  return lower.includes(name) || lower.includes([...name].reverse().join(""));
}

/** Stores a new password, remembering the old ones for the history rule. */
export function setPassword(user: UserRecord, password: string): void {
  if (user.password) user.password_history = [user.password, ...user.password_history].slice(0, 5);
  user.password = password;
}

const UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ";
const LOWER = "abcdefghijkmnopqrstuvwxyz";
const DIGITS = "23456789";
const SPECIAL = "!@#%^*-_=+";

/** A platform-chosen password as `random-password` returns: 12 characters, all four classes. */
export function randomPassword(user: UserRecord): string {
  for (;;) {
    const chars = [pick(UPPER), pick(LOWER), pick(DIGITS), pick(SPECIAL)];
    const all = UPPER + LOWER + DIGITS + SPECIAL;
    while (chars.length < 12) chars.push(pick(all));
    for (let i = chars.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [chars[i], chars[j]] = [chars[j]!, chars[i]!];
    }
    const password = chars.join("");
    const reused = password === user.password || user.password_history.includes(password);
    if (!containsName(password, user.user_name) && !reused) return password;
  }
}

function pick(alphabet: string): string {
  return alphabet[randomInt(alphabet.length)]!;
}
