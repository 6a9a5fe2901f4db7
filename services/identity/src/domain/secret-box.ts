import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/** Encrypts small secrets (TOTP seeds) for storage; the key never touches the database. */
export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

const VERSION = "v1";

/**
 * AES-256-GCM with a random 96-bit nonce per secret, stored as `v1.<nonce>.<tag>.<ciphertext>`
 * (base64url). The authentication tag makes a tampered or foreign ciphertext fail loudly instead
 * of yielding a wrong secret.
 */
export function createSecretBox(key: Uint8Array): SecretBox {
  if (key.length !== 32) throw new Error(`secret box key must be 32 bytes, got ${key.length}`);
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv("aes-256-gcm", key, iv);
      const body = Buffer.concat([c.update(plain, "utf8"), c.final()]);
      return [VERSION, iv, c.getAuthTag(), body]
        .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
        .join(".");
    },
    open(sealed) {
      const [v, iv, tag, body] = sealed.split(".");
      if (v !== VERSION || !iv || !tag || body === undefined) {
        throw new Error("sealed secret has an unknown format");
      }
      const d = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      d.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([d.update(Buffer.from(body, "base64url")), d.final()]).toString("utf8");
    },
  };
}

/** Parses a base64 (or base64url) 32-byte key, as configured in MFA_ENCRYPTION_KEY. */
export function parseSecretBoxKey(value: string): Uint8Array {
  const key = Buffer.from(value, "base64");
  if (key.length !== 32) {
    throw new Error(`MFA_ENCRYPTION_KEY: must be 32 bytes in base64, got ${key.length} bytes`);
  }
  return key;
}
