import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "@portal/runtime";

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends mail. Production plugs in a real transport; embedded mode writes to an outbox folder. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
}

/**
 * The embedded default: each mail becomes one `.eml` file in `dir`, and a log line names the
 * recipient and the file. The body (which may hold a reset link) goes to the file only, never to
 * the log.
 */
export function createOutboxMailer(
  dir: string,
  log: Logger,
  now: () => Date = () => new Date(),
): Mailer {
  return {
    async send(mail) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const file = join(
        dir,
        `${now().toISOString().replace(/[:.]/g, "-")}-${randomBytes(4).toString("hex")}.eml`,
      );
      const eml = `To: ${mail.to}\r\nSubject: ${mail.subject}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${mail.text}\r\n`;
      await writeFile(file, eml, { mode: 0o600 });
      log.info({ to: mail.to, subject: mail.subject, file }, "mail written to the outbox");
    },
  };
}

/** Where no mailer is configured: refuses, so a reset request is not silently lost. */
export const noMailer: Mailer = {
  async send() {
    throw new Error("no mailer configured: password reset mail cannot be sent");
  },
};
