import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { realServices, TEST_S3_CREDENTIALS } from "@portal/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalStore } from "./local-store.js";
import type { ObjectStore } from "./object-store.js";
import { ObjectNotFound } from "./object-store.js";
import { createS3Store } from "./s3-store.js";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

type Impl = {
  name: string;
  open: () => Promise<{ store: ObjectStore; cleanup: () => Promise<void> }>;
};
const impls: Impl[] = [
  {
    name: "local folder",
    open: async () => {
      const root = await mkdtemp(join(tmpdir(), "portal-store-"));
      const store = createLocalStore({
        root,
        publicBaseUrl: "http://localhost:8080/files",
        signingKey: randomBytes(32),
      });
      return { store, cleanup: () => rm(root, { recursive: true, force: true }) };
    },
  },
  {
    name: "s3 (S3-compatible server)",
    open: async () => {
      const store = createS3Store({
        bucket: "portal-test",
        client: {
          endpoint: realServices.s3Endpoint,
          region: "us-east-1",
          forcePathStyle: true,
          credentials: TEST_S3_CREDENTIALS,
        },
      });
      return { store, cleanup: async () => {} };
    },
  },
];

for (const impl of impls) {
  describe(`object store: ${impl.name}`, () => {
    let store: ObjectStore;
    let cleanup: () => Promise<void>;
    const prefix = `t-${randomBytes(4).toString("hex")}`;
    beforeAll(async () => ({ store, cleanup } = await impl.open()));
    afterAll(async () => cleanup?.());

    it("stores, replaces and reads back an object", async () => {
      await store.put(`${prefix}/raw/a.csv`, bytes("v1"));
      await store.put(`${prefix}/raw/a.csv`, bytes("v2"), { contentType: "text/csv" });
      expect(text(await store.get(`${prefix}/raw/a.csv`))).toBe("v2");
      expect(await store.exists(`${prefix}/raw/a.csv`)).toBe(true);
    });

    it("lists keys under a prefix", async () => {
      await store.put(`${prefix}/list/x/1.parquet`, bytes("1"));
      await store.put(`${prefix}/list/y/2.parquet`, bytes("2"));
      await store.put(`${prefix}/other/3.parquet`, bytes("3"));
      expect(await store.list(`${prefix}/list/`)).toEqual([
        `${prefix}/list/x/1.parquet`,
        `${prefix}/list/y/2.parquet`,
      ]);
    });

    it("reports a missing object as ObjectNotFound", async () => {
      await expect(store.get(`${prefix}/nope.bin`)).rejects.toBeInstanceOf(ObjectNotFound);
      expect(await store.exists(`${prefix}/nope.bin`)).toBe(false);
    });

    it("deletes an object", async () => {
      await store.put(`${prefix}/del.bin`, bytes("x"));
      await store.delete(`${prefix}/del.bin`);
      expect(await store.exists(`${prefix}/del.bin`)).toBe(false);
    });

    it("refuses keys that could escape their folder", async () => {
      for (const key of ["../etc/passwd", "a//b", "/abs", "a/./b", "sp ace"]) {
        await expect(store.put(key, bytes("x"))).rejects.toThrow(/invalid object key/);
      }
    });

    it("keeps binary content exact", async () => {
      const blob = randomBytes(300_000);
      await store.put(`${prefix}/blob.bin`, blob);
      expect(Buffer.from(await store.get(`${prefix}/blob.bin`)).equals(blob)).toBe(true);
    });

    it("presigns a download URL for the key", async () => {
      const url = new URL(await store.presignGet(`${prefix}/raw/a.csv`, 60));
      expect(url.pathname).toContain(`${prefix}/raw/a.csv`);
      expect(url.search).toMatch(/signature|Signature/);
    });
  });
}

describe("s3 store specifics", () => {
  const client = {
    endpoint: realServices.s3Endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: TEST_S3_CREDENTIALS,
  };

  it("asks for SSE-AES256 on every write", async () => {
    const store = createS3Store({ bucket: "portal-test", client });
    const sent: unknown[] = [];
    store.client.middlewareStack.add(
      (next) => async (args) => {
        sent.push(args.input);
        return next(args);
      },
      { step: "initialize", name: "capture" },
    );
    await store.put("sse/check.bin", bytes("x"));
    const put = sent.find((i) => (i as { Key?: string }).Key === "sse/check.bin") as {
      ServerSideEncryption?: string;
    };
    expect(put.ServerSideEncryption).toBe("AES256");
    expect(PutObjectCommand).toBeDefined();
  });

  it("serves the object at its presigned URL", async () => {
    const store = createS3Store({ bucket: "portal-test", client });
    await store.put("presign/hello.txt", bytes("hello"));
    const res = await fetch(await store.presignGet("presign/hello.txt", 60));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("hello");
  });
});

describe("local store presigned URLs", () => {
  it("verifies its own signature and refuses expired or altered ones", async () => {
    let now = 1_800_000_000_000;
    const s = createLocalStore({
      root: tmpdir(),
      publicBaseUrl: "http://h/files",
      signingKey: randomBytes(32),
      now: () => now,
    });
    const url = new URL(await s.presignGet("a/b.txt", 60));
    const exp = url.searchParams.get("expires") ?? "";
    const sig = url.searchParams.get("signature") ?? "";
    expect(s.verifyPresigned("a/b.txt", exp, sig)).toBe(true);
    expect(s.verifyPresigned("a/c.txt", exp, sig)).toBe(false);
    expect(s.verifyPresigned("a/b.txt", String(Number(exp) + 1), sig)).toBe(false);
    now += 61_000;
    expect(s.verifyPresigned("a/b.txt", exp, sig)).toBe(false);
  });
});
