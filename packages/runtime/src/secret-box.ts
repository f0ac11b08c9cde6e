import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";

/**
 * AES-256-GCM for secrets at rest (pending passwords, stored webhook secrets).
 * Format: `v1.<iv>.<tag>.<ciphertext>`, each base64url. A fresh 96-bit IV per message.
 */
export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
  /**
   * A keyed digest (HMAC-SHA256, hex) for values that must be compared but not guessed offline
   * (Idempotency-Key fingerprints of bodies that may hold a password, issue 17.8). Its key is
   * derived from the box's (HKDF-SHA256), so no second secret is to be configured.
   */
  mac(data: string): string;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error("secret box key must be 32 bytes");
  const macKey = Buffer.from(hkdfSync("sha256", key, Buffer.alloc(0), "deskgate fingerprint v1", 32));
  return {
    mac(data) {
      return createHmac("sha256", macKey).update(data, "utf8").digest("hex");
    },
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      const tag = cipher.getAuthTag();
      return ["v1", iv, tag, ciphertext]
        .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
        .join(".");
    },
    open(sealed) {
      const [version, iv, tag, ciphertext] = sealed.split(".");
      if (version !== "v1" || !iv || !tag || ciphertext === undefined) throw new Error("not a sealed secret");
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, "base64url")),
        decipher.final(),
      ]).toString("utf8");
    },
  };
}
