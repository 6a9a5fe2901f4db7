import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { ScalarType } from "@bufbuild/protobuf";
import type { ConnectRouter, HandlerContext } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ServiceName } from "@portal/api";
import { services } from "@portal/api";
import type { Clients } from "@portal/runtime";
import { onBehalfOf } from "@portal/runtime";

type Call = (req: unknown, opts: { headers: Headers }) => unknown;

/**
 * The most a request to a public RPC may carry, as encoded on the wire (JSON or binary). A bigger
 * one is refused with ResourceExhausted ("message size … is larger than configured readMaxBytes
 * …") while it is read, before any service sees it.
 */
export const MAX_REQUEST_BYTES = 1024 * 1024;
/**
 * RPCs whose request carries a file (a `bytes` field: workbook uploads) may be this large: a
 * 50 MiB file, base64-encoded in JSON, with room for the other fields.
 */
export const MAX_UPLOAD_REQUEST_BYTES = 72 * 1024 * 1024;

/**
 * Each message of a client stream (a streamed upload's chunks of at most 1 MiB, base64-encoded in
 * JSON) may be this large. The stream as a whole has no cap here: the service counts its bytes
 * and refuses it the moment it passes its own limit, without the gateway holding any of it.
 */
export const MAX_STREAM_MESSAGE_BYTES = 2 * 1024 * 1024;

const carriesFile = (m: DescMethod) =>
  m.input.fields.some((f) => f.fieldKind === "scalar" && f.scalar === ScalarType.BYTES);

/** The request size cap of one RPC at the gateway (per message, for a client stream). */
export const requestCapOf = (m: DescMethod) =>
  m.methodKind === "client_streaming"
    ? MAX_STREAM_MESSAGE_BYTES
    : carriesFile(m)
      ? MAX_UPLOAD_REQUEST_BYTES
      : MAX_REQUEST_BYTES;

/**
 * Serves `desc` by forwarding every RPC to the service behind `clients`, on behalf of the caller.
 * Built from the descriptor, so an RPC added to a .proto is public the moment its service ships it.
 * Each RPC is registered with its request size cap (requestCapOf).
 */
export function forwardService(desc: DescService, client: () => Record<string, Call>) {
  const impl: Record<string, (req: never, ctx: HandlerContext) => unknown> = {};
  // The client is looked up per call: a service that is not configured answers Unavailable
  // without keeping the gateway from starting.
  const callOf = (name: string): Call => {
    let c: Record<string, Call>;
    try {
      c = client();
    } catch (err) {
      throw new ConnectError(
        `${desc.name} is not available here`,
        Code.Unavailable,
        undefined,
        undefined,
        err,
      );
    }
    const call = c[name];
    if (!call) throw new ConnectError(`${desc.name}.${name} is not available`, Code.Unimplemented);
    return call.bind(c);
  };
  for (const m of desc.methods) {
    switch (m.methodKind) {
      case "unary":
        impl[m.localName] = (req: unknown, ctx: HandlerContext) =>
          callOf(m.localName)(req, onBehalfOf(ctx));
        break;
      case "server_streaming":
        impl[m.localName] = async function* (req: unknown, ctx: HandlerContext) {
          yield* callOf(m.localName)(req, onBehalfOf(ctx)) as AsyncIterable<unknown>;
        };
        break;
      case "client_streaming":
        // Streamed uploads: each message is passed on as it arrives, so the gateway never holds
        // the file, and when the service answers early (a refused upload) the caller's stream is
        // closed. Browsers cannot send a request stream; Connect and gRPC clients can.
        impl[m.localName] = (reqs: AsyncIterable<unknown>, ctx: HandlerContext) =>
          callOf(m.localName)(reqs, onBehalfOf(ctx));
        break;
      default:
        // Bidi streams are not offered (HTTP/1.1 and gRPC-Web cannot carry them).
        break;
    }
  }
  return (router: ConnectRouter) => {
    for (const m of desc.methods) {
      const fn = impl[m.localName];
      if (fn) router.rpc(m as never, fn as never, { readMaxBytes: requestCapOf(m) });
    }
  };
}

/** The public API: every service but the gateway itself, forwarded. */
export function forwardAll(clients: Clients) {
  const names = (Object.keys(services) as ServiceName[]).filter((n) => n !== "gateway");
  return (router: ConnectRouter) => {
    for (const n of names)
      forwardService(services[n], () => clients.get(n) as unknown as Record<string, Call>)(router);
  };
}
