import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import {
  Conflict,
  CredentialRefused,
  Forbidden,
  InvalidInput,
  LoginFailed,
  NotFound,
} from "../domain/errors.js";
import { toConnectError } from "./errors.js";

describe("toConnectError", () => {
  it.each([
    [new InvalidInput("email", "bad"), Code.InvalidArgument, "email: bad"],
    [new NotFound("user x not found"), Code.NotFound, "user x not found"],
    [new Conflict("taken"), Code.AlreadyExists, "taken"],
    [new Forbidden("not yours"), Code.PermissionDenied, "not yours"],
    [new CredentialRefused("API key revoked"), Code.Unauthenticated, "API key revoked"],
    [new LoginFailed(), Code.Unauthenticated, "wrong email or password"],
    [new LoginFailed(30), Code.ResourceExhausted, "too many failed logins: try again in 30 s"],
  ])("maps %s", (err, code, message) => {
    const ce = toConnectError(err);
    expect(ce.code).toBe(code);
    expect(ce.rawMessage).toBe(message);
  });

  it("hides anything else behind a generic internal error, keeping it as the cause", () => {
    const secret = new Error("connection to postgres://user:pw@db failed");
    const ce = toConnectError(secret);
    expect(ce.code).toBe(Code.Internal);
    expect(ce.rawMessage).toBe("internal error");
    expect(ce.cause).toBe(secret);
    const passthrough = new ConnectError("x", Code.Aborted);
    expect(toConnectError(passthrough)).toBe(passthrough);
  });
});
