import { describe, expect, it } from "vitest";
import { createSecretBox, parseSecretBoxKey } from "./secret-box.js";

describe("createSecretBox", () => {
  const box = createSecretBox(Buffer.alloc(32, 1));

  it("round-trips a secret, with a fresh nonce each time", () => {
    const a = box.seal("JBSWY3DPEHPK3PXP");
    const b = box.seal("JBSWY3DPEHPK3PXP");
    expect(a).not.toBe(b);
    expect(a).not.toContain("JBSWY3DPEHPK3PXP");
    expect(box.open(a)).toBe("JBSWY3DPEHPK3PXP");
  });

  it("refuses a tampered ciphertext and one sealed under another key", () => {
    const sealed = box.seal("JBSWY3DPEHPK3PXP");
    const parts = sealed.split(".");
    const body = Buffer.from(parts[3] as string, "base64url");
    body[0] = (body[0] as number) ^ 1;
    parts[3] = body.toString("base64url");
    expect(() => box.open(parts.join("."))).toThrow();
    expect(() => createSecretBox(Buffer.alloc(32, 2)).open(sealed)).toThrow();
    expect(() => box.open("JBSWY3DPEHPK3PXP")).toThrow("sealed secret has an unknown format");
  });

  it("takes exactly a 32-byte key", () => {
    expect(() => createSecretBox(Buffer.alloc(16))).toThrow("must be 32 bytes");
    expect(parseSecretBoxKey(Buffer.alloc(32, 3).toString("base64"))).toHaveLength(32);
    expect(() => parseSecretBoxKey("c2hvcnQ=")).toThrow(
      "MFA_ENCRYPTION_KEY: must be 32 bytes in base64, got 5 bytes",
    );
  });
});
