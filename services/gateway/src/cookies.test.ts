import { describe, expect, it } from "vitest";
import { clearedCookies, readCookie, sessionCookies } from "./cookies.js";

describe("cookies", () => {
  it("reads one cookie among several, and nothing from a look-alike name", () => {
    const h = "a=1; portal_session=abc; xportal_session=evil";
    expect(readCookie(h, "portal_session")).toBe("abc");
    expect(readCookie("xportal_session=evil", "portal_session")).toBeUndefined();
    expect(readCookie(undefined, "portal_session")).toBeUndefined();
  });

  it("makes the session cookie httpOnly and both Secure and SameSite=Strict", () => {
    const [session, csrf] = sessionCookies("tok", "csrf", 60);
    expect(session).toBe(
      "portal_session=tok; HttpOnly; Path=/; Secure; SameSite=Strict; Max-Age=60",
    );
    expect(csrf).toBe("portal_csrf=csrf; Path=/; Secure; SameSite=Strict; Max-Age=60");
    expect(clearedCookies().every((c) => c.includes("Max-Age=0"))).toBe(true);
  });
});
