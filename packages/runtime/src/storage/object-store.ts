/** Object storage: a local folder (embedded) or S3 with SSE-AES256 (distributed). */
export interface ObjectStore {
  readonly kind: "local" | "s3";
  /** Writes the whole object; an existing object under `key` is replaced atomically. */
  put(key: string, body: Uint8Array, opts?: { contentType?: string }): Promise<void>;
  /** Reads the whole object; throws ObjectNotFound when there is none. */
  get(key: string): Promise<Uint8Array>;
  exists(key: string): Promise<boolean>;
  /** Keys under `prefix`, sorted. */
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
  /** A URL that lets its holder download the object until it expires. */
  presignGet(key: string, ttlSeconds: number): Promise<string>;
  ping(): Promise<void>;
}

export class ObjectNotFound extends Error {
  constructor(readonly key: string) {
    super(`object ${key} not found`);
    this.name = "ObjectNotFound";
  }
}

const SEGMENT = /^[A-Za-z0-9._=+@_-]+$/;

/**
 * Keys are slash-separated segments of safe characters, as the seed's key patterns are
 * (`processed-data/<org>/<fund>/<hash>.parquet`, `full_stats/<org>/<fund>/<run>.parquet`). Refusing anything else keeps a key from
 * escaping the local folder and keeps both implementations interchangeable.
 */
export function assertValidKey(key: string): void {
  const parts = key.split("/");
  if (key.length > 1024 || parts.some((p) => !SEGMENT.test(p) || p === "." || p === "..")) {
    throw new Error(
      `invalid object key ${JSON.stringify(key)}: use slash-separated [A-Za-z0-9._=+@_-] segments`,
    );
  }
}
