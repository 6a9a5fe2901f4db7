import { ConfigError } from "@portal/runtime";
import { describe, expect, it } from "vitest";
import { parseOidcEnv } from "./oidc-config.js";

const BASE = "https://portal.example";

describe("parseOidcEnv", () => {
  it("is off when no OIDC variable is set (empty values count as unset)", () => {
    expect(parseOidcEnv({}, BASE)).toBeUndefined();
    expect(parseOidcEnv({ OIDC_ISSUER_URL: "", OIDC_CLIENT_ID: " " }, BASE)).toBeUndefined();
  });

  it("reads a full configuration, defaulting the redirect to the public URL's callback", () => {
    expect(
      parseOidcEnv(
        {
          OIDC_ISSUER_URL: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc",
          OIDC_CLIENT_ID: "client",
          OIDC_CLIENT_SECRET: "secret",
        },
        `${BASE}/`,
      ),
    ).toEqual({
      issuerUrl: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc",
      clientId: "client",
      clientSecret: "secret",
      redirectUrl: "https://portal.example/auth/oidc/callback",
    });
  });

  it("names every missing or bad variable of a half configuration", () => {
    const err = (() => {
      try {
        parseOidcEnv({ OIDC_ISSUER_URL: "http://idp.example", OIDC_REDIRECT_URL: "nope" }, BASE);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      { variable: "OIDC_ISSUER_URL", message: "must be an https URL (http only for localhost)" },
      { variable: "OIDC_REDIRECT_URL", message: '"nope" is not a URL' },
      { variable: "OIDC_CLIENT_ID", message: "is required when OIDC is configured" },
    ]);
  });

  it("accepts plain http for a loopback issuer only (development and tests)", () => {
    const cfg = parseOidcEnv(
      { OIDC_ISSUER_URL: "http://127.0.0.1:4000", OIDC_CLIENT_ID: "c" },
      "http://localhost:8080",
    );
    expect(cfg?.redirectUrl).toBe("http://localhost:8080/auth/oidc/callback");
  });
});
