export * from "./api-keys.js";
export * from "./audit-logs.js";
export * from "./identity-schema.js";
export * from "./invitations.js";
export * from "./mfa.js";
export * from "./organizations.js";
export * from "./password-reset-tokens.js";
export * from "./users.js";
