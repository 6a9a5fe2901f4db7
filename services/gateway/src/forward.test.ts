import { services } from "@portal/api";
import { describe, expect, it } from "vitest";
import { MAX_REQUEST_BYTES, MAX_UPLOAD_REQUEST_BYTES, requestCapOf } from "./forward.js";

describe("requestCapOf", () => {
  const method = (svc: keyof typeof services, name: string) => {
    const m = services[svc].methods.find((x) => x.name === name);
    if (!m) throw new Error(`${svc}.${name} is not in the API`);
    return m;
  };

  it("gives RPCs that carry a file the upload cap, and every other RPC the ordinary cap", () => {
    expect(requestCapOf(method("funds", "UploadWorkbook"))).toBe(MAX_UPLOAD_REQUEST_BYTES);
    expect(requestCapOf(method("identity", "CreateOrganization"))).toBe(MAX_REQUEST_BYTES);
    expect(requestCapOf(method("identity", "VerifyPassword"))).toBe(MAX_REQUEST_BYTES);
  });

  it("leaves room for a 50 MiB workbook base64-encoded in JSON", () => {
    expect(MAX_UPLOAD_REQUEST_BYTES).toBeGreaterThan(Math.ceil((50 * 1024 * 1024 * 4) / 3));
  });
});
