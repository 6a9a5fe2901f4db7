import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json.js";
import { dataHash } from "./data-hash.js";
import {
  configHash,
  evergreenIdentityHash,
  evergreenSubfundHash,
  fileIdentityHash,
  fundIdentityHash,
  resultsHash,
} from "./identity-hashes.js";

// The published test vectors (README.md). Each was computed independently of this code with
// `printf '%s' '<input>' | sha256sum` over the input string shown.
const V = {
  file: "125befd9aa1b9808ebafa1651ac0121c71cfb7e2d829c41067e1876ecc56b18c", // file|acme-capital|Q3 Funds.xlsx
  fund: "020d69a8336075e30a6ac694fd399b9af3a0c5fd03f8cd559bbecf9839d80027", // fund|acme-capital|Q3 Funds.xlsx|Buyout Fund I
  fundNonAscii: "bc7e3d9af87efdcd83887f7a114964cabb1139846a0d911807fffea61223b993", // fund|acme-capital|Fonds Société.xlsx|Fonds Générale (NFC)
  fundLowerFile: "888dea377d8b50eb62c21ceb22f5397f625999e5e9285feeefceae000ed21b9c", // fund|acme-capital|q3 funds.xlsx|Buyout Fund I
  evergreen: "8b8c85ca375b7ae0876a376ae365fb62f206341ededf647444e6f8c7f73b3631", // evergreen|acme-capital|Evergreen I|aaaa|bbbb
  subfund: "fea76cf9cc8984aeb51ebed61d6bc2d90bb0c5adbd5d3d2989fdad951d46f80c", // eg_subfund|acme-capital|eeee|ffff
  config: "340c550536e0ecb54cefc07c9a354f5773afffd2c5b432633866e408eb341716",
  data: "95b1381668d0bc73d7b9ba8fb38cf94bfda932b409bf05c3756a3f91ede9311c",
  results: "ce9ed96b142ec1f5701a86651e53dfb7472558bcf61f2031a9778fca445f96af",
};

describe("fileIdentityHash and fundIdentityHash", () => {
  it("match the published vectors", () => {
    expect(fileIdentityHash("acme-capital", "Q3 Funds.xlsx")).toBe(V.file);
    expect(fundIdentityHash("acme-capital", "Q3 Funds.xlsx", "Buyout Fund I")).toBe(V.fund);
  });

  it("lower-case and trim the organisation id, trim names", () => {
    expect(fundIdentityHash("  ACME-Capital ", "  Q3 Funds.xlsx\t", " Buyout Fund I ")).toBe(
      V.fund,
    );
  });

  it("keep the case of file and fund names", () => {
    expect(fundIdentityHash("acme-capital", "q3 funds.xlsx", "Buyout Fund I")).toBe(
      V.fundLowerFile,
    );
    expect(fundIdentityHash("acme-capital", "Q3 Funds.xlsx", "buyout fund i")).not.toBe(V.fund);
  });

  it("give composed and decomposed accents the same hash (NFC)", () => {
    const composed = fundIdentityHash(
      "acme-capital",
      "Fonds Soci\u00e9t\u00e9.xlsx",
      "Fonds G\u00e9n\u00e9rale",
    );
    const decomposed = fundIdentityHash(
      "acme-capital",
      "Fonds Socie\u0301te\u0301.xlsx",
      "Fonds Ge\u0301ne\u0301rale",
    );
    expect(composed).toBe(V.fundNonAscii);
    expect(decomposed).toBe(V.fundNonAscii);
  });

  it("refuse empty names and the field separator", () => {
    expect(() => fundIdentityHash("acme", "f.xlsx", "   ")).toThrow(/fund name is empty/);
    expect(() => fundIdentityHash("acme", "a|b.xlsx", "F")).toThrow(/may not contain/);
  });
});

describe("evergreen hashes", () => {
  it("match the published vectors, whatever the member order", () => {
    expect(evergreenIdentityHash("acme-capital", "Evergreen I", ["bbbb", "aaaa"])).toBe(
      V.evergreen,
    );
    expect(evergreenSubfundHash("ACME-capital", "eeee", "ffff")).toBe(V.subfund);
  });
});

describe("configHash", () => {
  it("hashes canonical JSON, so key order does not matter", () => {
    const a = {
      window: "quarterly",
      chains: 4,
      priors: { alpha: { sigma: 0.003, mu: 0, family: "normal" } },
    };
    const b = {
      priors: { alpha: { family: "normal", mu: 0, sigma: 0.003 } },
      chains: 4,
      window: "quarterly",
    };
    expect(configHash(a)).toBe(V.config);
    expect(configHash(b)).toBe(V.config);
    expect(configHash({ ...a, chains: 5 })).not.toBe(V.config);
  });

  it("writes RFC 8785 canonical JSON", () => {
    expect(canonicalJson({ b: [1, "x", null, true], a: 1e21, c: 0.1 })).toBe(
      '{"a":1e+21,"b":[1,"x",null,true],"c":0.1}',
    );
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(/no JSON form/);
    expect(canonicalJson({ w: new Float64Array([0.5, 2]) })).toBe('{"w":[0.5,2]}');
  });
});

describe("dataHash", () => {
  const table = {
    nav: [null, 950000.5],
    date: ["2020-01-03", "2020-03-27"],
    contribution: [1_000_000, 0],
  };

  it("matches the published vector", () => {
    expect(dataHash(table)).toBe(V.data);
  });

  it("does not depend on column order, and changes with any cell", () => {
    expect(dataHash({ contribution: table.contribution, date: table.date, nav: table.nav })).toBe(
      V.data,
    );
    expect(dataHash({ ...table, nav: [null, 950000.51] })).not.toBe(V.data);
    expect(dataHash({ ...table, nav: [0, 950000.5] })).not.toBe(V.data); // missing is not zero
  });

  it("refuses ragged columns and non-finite numbers", () => {
    expect(() => dataHash({ a: [1, 2], b: [1] })).toThrow(/has 1 rows, expected 2/);
    expect(() => dataHash({ a: [Number.POSITIVE_INFINITY] })).toThrow(/not a finite number/);
  });
});

describe("resultsHash", () => {
  const a = { key: "a/draws.parquet", sha256: `${"0".repeat(63)}1` };
  const b = { key: "b/summary.json", sha256: `${"0".repeat(63)}2` };

  it("matches the published vector in any artefact order", () => {
    expect(resultsHash([a, b])).toBe(V.results);
    expect(resultsHash([b, a])).toBe(V.results);
  });

  it("refuses an empty or malformed manifest", () => {
    expect(() => resultsHash([])).toThrow(/at least one/);
    expect(() => resultsHash([{ key: "x", sha256: "abc" }])).toThrow(/not a SHA-256/);
    expect(() => resultsHash([a, a])).toThrow(/twice/);
  });
});
