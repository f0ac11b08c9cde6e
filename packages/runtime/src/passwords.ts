import { randomInt } from "node:crypto";

const UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ";
const LOWER = "abcdefghijkmnopqrstuvwxyz";
const DIGITS = "23456789";
const SPECIAL = "!@#%^*-_=+";
const ALL = UPPER + LOWER + DIGITS + SPECIAL;

/**
 * A strong generated password: 16 characters from a CSPRNG, at least one of each class
 * (upper, lower, digit, special), no look-alike characters, never containing the user
 * name or its reverse (the platform's complexity rules).
 */
export function generatePassword(userName = "", length = 16): string {
  for (;;) {
    const chars = [pick(UPPER), pick(LOWER), pick(DIGITS), pick(SPECIAL)];
    while (chars.length < length) chars.push(pick(ALL));
    for (let i = chars.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [chars[i], chars[j]] = [chars[j]!, chars[i]!];
    }
    const password = chars.join("");
    if (!containsName(password, userName)) return password;
  }
}

function pick(alphabet: string): string {
  return alphabet[randomInt(alphabet.length)]!;
}

function containsName(password: string, userName: string): boolean {
  if (userName.length < 3) return false;
  const lower = password.toLowerCase();
  const name = userName.toLowerCase();
  return lower.includes(name) || lower.includes([...name].reverse().join(""));
}
