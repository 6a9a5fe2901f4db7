import { describe, expect, it } from "vitest";
import { InvalidInput } from "./errors.js";
import {
  parseColor,
  parseEmail,
  parseHttpsUrl,
  parseName,
  parsePageSize,
  parsePageToken,
  parseSlug,
  parseUuid,
} from "./validate.js";

const err = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInput);
    return (e as Error).message;
  }
  throw new Error("expected a rejection");
};

describe("input validation", () => {
  it("accepts plain ASCII slugs and refuses look-alikes, naming the field", () => {
    expect(parseSlug("slug", "acme-capital-2")).toBe("acme-capital-2");
    // Greek omicron, Cyrillic es, fullwidth a: each looks like ASCII.
    for (const s of ["acme-\u03bf", "\u0441apital", "\uff41cme"]) {
      expect(err(() => parseSlug("slug", s))).toMatch(/^slug: contains non-ASCII/);
    }
    expect(err(() => parseSlug("slug", "acme--"))).toMatch(/starting and ending/);
  });

  it("lower-cases emails and refuses malformed or overlong ones", () => {
    expect(parseEmail("email", " Jane@Example.COM ")).toBe("jane@example.com");
    for (const e of ["jane", "jane@", "@x.io", "ja ne@x.io", "jane@x", "j\u0430ne@x.io"]) {
      expect(err(() => parseEmail("email", e))).toMatch(/^email: .* is not a valid email/);
    }
    expect(err(() => parseEmail("email", `${"a".repeat(60)}@${"b".repeat(200)}.io`))).toMatch(
      /at most 254/,
    );
  });

  it("refuses names that are empty, overlong or carry invisible characters", () => {
    expect(parseName("name", "  Acme  ")).toBe("Acme");
    expect(err(() => parseName("name", "   "))).toBe("name: is required");
    expect(err(() => parseName("name", "x".repeat(201)))).toMatch(/201 characters/);
    expect(err(() => parseName("name", "Ac\u202eme"))).toMatch(/invisible/);
  });

  it("checks ids, colours, URLs and paging", () => {
    expect(err(() => parseUuid("org_id", "1; DROP TABLE"))).toMatch(/^org_id: .* is not a uuid/);
    expect(parseColor("c", "#A0B1C2")).toBe("#a0b1c2");
    expect(err(() => parseColor("c", "red"))).toMatch(/#rrggbb/);
    expect(err(() => parseHttpsUrl("logo", "http://x.io/a.png"))).toMatch(/https/);
    expect(err(() => parseHttpsUrl("logo", "javascript:alert(1)"))).toMatch(/https/);
    expect(parsePageSize("page_size", 0)).toBe(50);
    expect(err(() => parsePageSize("page_size", 501))).toMatch(/between 0 and 500/);
    expect(err(() => parsePageToken("page_token", "-1"))).toMatch(/not a token/);
  });
});
