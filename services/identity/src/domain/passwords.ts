import { hash, verify } from "@node-rs/argon2";

// Algorithm.Argon2id of @node-rs/argon2 (an ambient const enum, which isolated modules cannot read).
const ARGON2ID = 2;

/** argon2id cost. Production uses OWASP's first recommendation; tests inject a cheap one. */
export interface PasswordParams {
  memoryCost: number; // KiB
  timeCost: number;
  parallelism: number;
}

/** OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1. */
export const PRODUCTION_PASSWORD_PARAMS: PasswordParams = {
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

export function hashPassword(password: string, params: PasswordParams): Promise<string> {
  return hash(password, { algorithm: ARGON2ID, ...params });
}

/** Verifies against a stored PHC string; the parameters come from the string itself. */
export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await verify(phc, password);
  } catch {
    return false;
  }
}
