import type {
  Client,
  ConnectRouter,
  HandlerContext,
  Interceptor,
  Transport,
} from "@connectrpc/connect";
import { createClient, createRouterTransport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import type { ServiceName } from "@portal/api";
import { services } from "@portal/api";
import { kPrincipalToken, kRequestId, PRINCIPAL_HEADER, REQUEST_ID_HEADER } from "./context.js";
import { traceOutgoing } from "./tracing.js";

type ServiceClient<N extends ServiceName> = Client<(typeof services)[N]>;

/** Typed clients of the platform's services, over whichever transport the run mode uses. */
export interface Clients {
  get<N extends ServiceName>(name: N): ServiceClient<N>;
  transport(name: ServiceName): Transport;
}

/**
 * Call options that carry the current caller's principal and request id to the next service, so
 * a call chain acts for the user who started it and its logs share one request id.
 */
export function onBehalfOf(ctx: HandlerContext): { headers: Headers } {
  const headers = new Headers();
  const token = ctx.values.get(kPrincipalToken);
  if (token) headers.set(PRINCIPAL_HEADER, token);
  const requestId = ctx.values.get(kRequestId);
  if (requestId) headers.set(REQUEST_ID_HEADER, requestId);
  return { headers };
}

function clientsOver(transportOf: (name: ServiceName) => Transport): Clients {
  const cache = new Map<ServiceName, unknown>();
  return {
    transport: transportOf,
    get(name) {
      let c = cache.get(name);
      if (!c) {
        c = createClient(services[name], transportOf(name));
        cache.set(name, c);
      }
      return c as ServiceClient<typeof name>;
    },
  };
}

/**
 * Embedded mode: each service's routes behind an in-memory transport, with the same server
 * interceptors (auth, logging) a network call would pass through.
 */
export function inProcessClients(
  routesOf: (name: ServiceName) => ((router: ConnectRouter) => void) | undefined,
  serverInterceptors: Interceptor[],
): Clients {
  const transports = new Map<ServiceName, Transport>();
  return clientsOver((name) => {
    let t = transports.get(name);
    if (!t) {
      const routes = routesOf(name);
      if (!routes) throw new Error(`service ${name} is not hosted in this process`);
      t = createRouterTransport(routes, {
        router: { interceptors: serverInterceptors },
        transport: { interceptors: [traceOutgoing] },
      });
      transports.set(name, t);
    }
    return t;
  });
}

/** Distributed mode: gRPC over HTTP/2 to each service's base URL. */
export function networkClients(urls: Partial<Record<ServiceName, string>>): Clients {
  const transports = new Map<ServiceName, Transport>();
  return clientsOver((name) => {
    let t = transports.get(name);
    if (!t) {
      const baseUrl = urls[name];
      if (!baseUrl)
        throw new Error(`no URL configured for service ${name} (set ${name.toUpperCase()}_URL)`);
      t = createGrpcTransport({ baseUrl, interceptors: [traceOutgoing] });
      transports.set(name, t);
    }
    return t;
  });
}
