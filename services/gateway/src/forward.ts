import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter, HandlerContext } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ServiceName } from "@portal/api";
import { services } from "@portal/api";
import type { Clients } from "@portal/runtime";
import { onBehalfOf } from "@portal/runtime";

type Call = (req: unknown, opts: { headers: Headers }) => unknown;

/**
 * Serves `desc` by forwarding every RPC to the service behind `clients`, on behalf of the caller.
 * Built from the descriptor, so an RPC added to a .proto is public the moment its service ships it.
 */
export function forwardService(desc: DescService, client: () => Record<string, Call>) {
  const impl: Record<string, unknown> = {};
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
      default:
        // Client and bidi streams are not offered to browsers (gRPC-Web cannot carry them).
        break;
    }
  }
  return (router: ConnectRouter) => router.service(desc, impl as never);
}

/** The public API: every service but the gateway itself, forwarded. */
export function forwardAll(clients: Clients) {
  const names = (Object.keys(services) as ServiceName[]).filter((n) => n !== "gateway");
  return (router: ConnectRouter) => {
    for (const n of names)
      forwardService(services[n], () => clients.get(n) as unknown as Record<string, Call>)(router);
  };
}
