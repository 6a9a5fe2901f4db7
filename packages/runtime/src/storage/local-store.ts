import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import type { ObjectStore } from "./object-store.js";
import { assertValidKey, ObjectNotFound } from "./object-store.js";

export interface LocalStoreOptions {
  /** Folder that holds the objects. */
  root: string;
  /** Base URL of the route that serves presigned downloads, e.g. `http://localhost:8080/files`. */
  publicBaseUrl: string;
  /** Key for signing download URLs. */
  signingKey: Uint8Array;
  now?: () => number;
}

/** Object storage in a local folder, with HMAC-signed download URLs served by the gateway. */
export function createLocalStore(opts: LocalStoreOptions): ObjectStore & {
  verifyPresigned(key: string, expires: string, signature: string): boolean;
} {
  const now = opts.now ?? Date.now;
  const pathOf = (key: string) => {
    assertValidKey(key);
    return join(opts.root, ...key.split("/"));
  };
  const sign = (key: string, expires: number) =>
    createHmac("sha256", opts.signingKey).update(`${key}\n${expires}`).digest("base64url");

  async function walk(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const out: string[] = [];
    for (const e of entries) {
      if (e.name.startsWith(".tmp-")) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) out.push(...(await walk(p)));
      else out.push(relative(opts.root, p).split(sep).join("/"));
    }
    return out;
  }

  return {
    kind: "local",
    async put(key, body) {
      const p = pathOf(key);
      await mkdir(dirname(p), { recursive: true });
      // Write then rename: a reader never sees half an object, a crash never leaves one.
      const tmp = join(dirname(p), `.tmp-${randomBytes(8).toString("hex")}`);
      await writeFile(tmp, body);
      await rename(tmp, p);
    },
    async get(key) {
      try {
        return new Uint8Array(await readFile(pathOf(key)));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new ObjectNotFound(key);
        throw err;
      }
    },
    async exists(key) {
      return stat(pathOf(key)).then(
        (s) => s.isFile(),
        () => false,
      );
    },
    async list(prefix) {
      return (await walk(opts.root)).filter((k) => k.startsWith(prefix)).sort();
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
    async presignGet(key, ttlSeconds) {
      assertValidKey(key);
      const expires = Math.floor(now() / 1000) + ttlSeconds;
      const url = new URL(`${opts.publicBaseUrl.replace(/\/$/, "")}/${key}`);
      url.searchParams.set("expires", String(expires));
      url.searchParams.set("signature", sign(key, expires));
      return url.toString();
    },
    verifyPresigned(key, expires, signature) {
      const exp = Number(expires);
      if (!Number.isInteger(exp) || exp < Math.floor(now() / 1000)) return false;
      const want = Buffer.from(sign(key, exp));
      const got = Buffer.from(signature);
      return want.length === got.length && timingSafeEqual(want, got);
    },
    async ping() {
      await mkdir(opts.root, { recursive: true });
    },
  };
}
