export { canonicalJson } from "./canonical-json.js";
export type { Cell } from "./data-hash.js";
export { dataHash } from "./data-hash.js";
export {
  configHash,
  evergreenIdentityHash,
  evergreenSubfundHash,
  fileIdentityHash,
  fundIdentityHash,
  marketConfigHash,
  normaliseName,
  normaliseOrgId,
  resultsHash,
  sha256Hex,
} from "./identity-hashes.js";
