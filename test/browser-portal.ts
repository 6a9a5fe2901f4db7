/**
 * The embedded portal serving a freshly built web UI, and Debian's Chromium driven by
 * playwright-core, for the browser tests. Without /usr/bin/chromium they are skipped with a
 * notice, or fail under REQUIRE_REAL_SERVICES (.ci/run installs it).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { requireRealServices } from "@portal/test-kit";
import { type Browser, chromium } from "playwright-core";
import { startTestPortal, type TestPortal } from "./embedded-portal.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const CHROMIUM = "/usr/bin/chromium";

/** The platform's bootstrap super admin and an analyst the tests make a member. */
export const ADMIN = { email: "root@platform.example", password: "bootstrap password 1" };
export const MEMBER = { email: "analyst@acme.example", password: "analyst password 1" };

export const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  if (requireRealServices) throw new Error(`${CHROMIUM} is missing; .ci/run installs chromium`);
  console.warn(`${CHROMIUM} not found: the browser tests are skipped (apt-get install chromium).`);
}

export interface BrowserPortal {
  tp: TestPortal;
  browser: Browser;
  stop(): Promise<void>;
}

/** Builds the web UI into a temporary folder, starts the portal serving it, launches Chromium. */
export async function startBrowserPortal(prefix: string): Promise<BrowserPortal> {
  const webDir = await mkdtemp(join(tmpdir(), `${prefix}web-`));
  await promisify(execFile)(process.execPath, ["web/build.mjs", webDir], { cwd: root });
  const tp = await startTestPortal(prefix, {
    WEB_DIR: webDir,
    BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-background-networking"],
  });
  return {
    tp,
    browser,
    async stop() {
      await browser.close();
      await tp.stop();
      await rm(webDir, { recursive: true, force: true });
    },
  };
}
