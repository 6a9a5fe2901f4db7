import { createHash, randomBytes } from "node:crypto";
import { Secret, TOTP } from "otpauth";
import QRCode from "qrcode";

/** What authenticator apps show: 6 digits, a new code every 30 seconds, HMAC-SHA1 (RFC 6238). */
const PERIOD = 30;
const DIGITS = 6;
/** Codes one step early or late are accepted, for clock drift between phone and server. */
const WINDOW = 1;
export const ISSUER = "Portal";
export const RECOVERY_CODE_COUNT = 10;
// No 0/o, 1/l/i: recovery codes get read off paper.
const RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

const totpOf = (secretBase32: string, label = "") =>
  new TOTP({
    issuer: ISSUER,
    label,
    secret: Secret.fromBase32(secretBase32),
    period: PERIOD,
    digits: DIGITS,
    algorithm: "SHA1",
  });

/** A new random 160-bit secret in base32 (the size RFC 4226 recommends). */
export function newTotpSecret(random: (n: number) => Buffer = randomBytes): string {
  return new Secret({ buffer: new Uint8Array(random(20)).buffer }).base32;
}

/** The otpauth:// URI authenticators import, labelled with the user's email. */
export const otpauthUri = (secretBase32: string, email: string) =>
  totpOf(secretBase32, email).toString();

/** The URI as a QR code, an SVG data URL an <img> can show. */
export async function qrCodeDataUrl(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg, "utf8").toString("base64")}`;
}

/** True when `code` looks like a TOTP code (6 digits, spaces ignored). */
export const isTotpCode = (code: string) => /^\d{6}$/.test(code.replace(/\s/g, ""));

/**
 * The time step `code` is valid for at `now`, or null. The caller refuses a step at or before the
 * last one it accepted, so a code (even an observed one) works once.
 */
export function totpStep(secretBase32: string, code: string, now: Date): number | null {
  const token = code.replace(/\s/g, "");
  if (!/^\d{6}$/.test(token)) return null;
  const totp = totpOf(secretBase32);
  const delta = totp.validate({ token, timestamp: now.getTime(), window: WINDOW });
  return delta === null ? null : totp.counter({ timestamp: now.getTime() }) + delta;
}

/** Fresh recovery codes, `xxxxx-xxxxx` (about 49 bits each). */
export function newRecoveryCodes(random: (n: number) => Buffer = randomBytes): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const b = random(10);
    const chars = Array.from(b, (x) => RECOVERY_ALPHABET[x % RECOVERY_ALPHABET.length]).join("");
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** SHA-256 of a recovery code as typed (case, spaces and hyphens ignored). */
export function hashRecoveryCode(code: string): string {
  const normal = code.toLowerCase().replace(/[\s-]/g, "");
  return createHash("sha256").update(normal).digest("hex");
}
