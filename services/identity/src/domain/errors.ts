/** Bad input: names the field and what is wrong with it; nothing was changed. */
export class InvalidInput extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "InvalidInput";
  }
}

/** The thing asked for does not exist, or is not visible to the caller's organisation. */
export class NotFound extends Error {
  override name = "NotFound";
}

/** The change would break a uniqueness rule (a slug or email already taken). */
export class Conflict extends Error {
  override name = "Conflict";
}

/** The caller is authenticated but may not do this (another organisation, a higher role). */
export class Forbidden extends Error {
  override name = "Forbidden";
}

/**
 * A login failed. The message is deliberately the same for an unknown email, a wrong password
 * and a deactivated user, so a caller cannot probe which emails exist.
 */
export class LoginFailed extends Error {
  constructor(readonly retryAfterSeconds?: number) {
    super(
      retryAfterSeconds
        ? `too many failed logins: try again in ${retryAfterSeconds} s`
        : "wrong email or password",
    );
    this.name = "LoginFailed";
  }
}

/** A presented credential (API key, reset token) is unknown, expired or revoked; says which. */
export class CredentialRefused extends Error {
  override name = "CredentialRefused";
}

/** The request is valid but the record is not in a state that allows it (e.g. TOTP already on). */
export class PreconditionFailed extends Error {
  override name = "PreconditionFailed";
}
