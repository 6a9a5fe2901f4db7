import { services } from "@portal/api";
import { describe, expect, it } from "vitest";
import {
  MAX_REQUEST_BYTES,
  MAX_STREAM_MESSAGE_BYTES,
  MAX_UPLOAD_REQUEST_BYTES,
  requestCapOf,
} from "./forward.js";

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

  it("caps each message of a client stream, not the stream: a 1 MiB chunk fits, a file does not", () => {
    const m = method("funds", "UploadWorkbookStream");
    expect(m.methodKind).toBe("client_streaming");
    expect(requestCapOf(m)).toBe(MAX_STREAM_MESSAGE_BYTES);
    expect(MAX_STREAM_MESSAGE_BYTES).toBeGreaterThan(Math.ceil((1024 * 1024 * 4) / 3) + 1024);
    expect(MAX_STREAM_MESSAGE_BYTES).toBeLessThan(MAX_UPLOAD_REQUEST_BYTES / 10);
  });

  it("leaves room for a 50 MiB workbook base64-encoded in JSON", () => {
    expect(MAX_UPLOAD_REQUEST_BYTES).toBeGreaterThan(Math.ceil((50 * 1024 * 1024 * 4) / 3));
  });
});
