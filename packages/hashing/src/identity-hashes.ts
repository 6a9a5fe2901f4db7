import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical-json.js";

/** SHA-256 of UTF-8 bytes (or raw bytes), as 64 lower-case hex characters. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256")
    .update(typeof data === "string" ? Buffer.from(data, "utf8") : data)
    .digest("hex");
}

/**
 * Every text field is NFC-normalised before hashing, so "é" typed as one code point or as "e" plus
 * a combining accent names the same fund (the seed's finding P3: Python and SQL disagreed on
 * non-ASCII names). Organisation ids are also trimmed and lower-cased; file and fund names are
 * trimmed and keep their case ("Fund_1" and "fund_1" are different funds, as users expect).
 */
const nfc = (s: string) => s.normalize("NFC");
export const normaliseOrgId = (orgId: string): string => nfc(orgId).trim().toLowerCase();
export const normaliseName = (name: string): string => nfc(name).trim();

function hashFields(fields: string[]): string {
  for (const f of fields) {
    if (f.includes("|")) throw new Error(`identity field ${JSON.stringify(f)} may not contain "|"`);
  }
  return sha256Hex(fields.join("|"));
}

function requireText(what: string, value: string): string {
  if (value.length === 0) throw new Error(`${what} is empty`);
  return value;
}

/** Identity of an uploaded file within an organisation: `file|org|filename`. */
export function fileIdentityHash(orgId: string, filename: string): string {
  return hashFields([
    "file",
    requireText("organisation id", normaliseOrgId(orgId)),
    requireText("file name", normaliseName(filename)),
  ]);
}

/** Identity of a fund, the hub every version, run and result hangs off: `fund|org|filename|fund`. */
export function fundIdentityHash(orgId: string, filename: string, fundName: string): string {
  return hashFields([
    "fund",
    requireText("organisation id", normaliseOrgId(orgId)),
    requireText("file name", normaliseName(filename)),
    requireText("fund name", normaliseName(fundName)),
  ]);
}

/** Identity of an evergreen fund: `evergreen|org|name|<sorted member fund hashes>`. */
export function evergreenIdentityHash(
  orgId: string,
  name: string,
  memberFundHashes: string[],
): string {
  if (memberFundHashes.length === 0)
    throw new Error("an evergreen fund needs at least one member fund");
  return hashFields([
    "evergreen",
    normaliseOrgId(orgId),
    requireText("evergreen name", normaliseName(name)),
    ...[...memberFundHashes].sort(),
  ]);
}

/** Identity of one member of an evergreen fund: `eg_subfund|org|evergreen hash|fund hash`. */
export function evergreenSubfundHash(
  orgId: string,
  evergreenHash: string,
  fundHash: string,
): string {
  return hashFields(["eg_subfund", normaliseOrgId(orgId), evergreenHash, fundHash]);
}

/** Hash of a model config: SHA-256 of its canonical JSON (RFC 8785). */
export function configHash(config: unknown): string {
  return sha256Hex(canonicalJson(config));
}

/** Hash of a fund's market config (series and regimes by date range): canonical JSON as well. */
export function marketConfigHash(marketConfig: unknown): string {
  return sha256Hex(canonicalJson(marketConfig));
}

/**
 * Hash of a run's result artefacts: SHA-256 over `results|<key>:<sha256 of content>|...` with the
 * artefacts sorted by key, so it changes when any artefact's bytes change and never depends on the
 * order they were written in.
 */
export function resultsHash(artefacts: { key: string; sha256: string }[]): string {
  if (artefacts.length === 0) throw new Error("a results hash needs at least one artefact");
  const seen = new Set<string>();
  for (const a of artefacts) {
    if (!/^[0-9a-f]{64}$/.test(a.sha256))
      throw new Error(`artefact ${a.key}: ${a.sha256} is not a SHA-256 hex digest`);
    if (seen.has(a.key)) throw new Error(`artefact ${a.key} listed twice`);
    seen.add(a.key);
  }
  const parts = [...artefacts]
    .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0))
    .map((a) => `${a.key}:${a.sha256}`);
  return sha256Hex(["results", ...parts].join("|"));
}
