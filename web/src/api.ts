import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { services } from "@portal/api";

/** The only place that knows where the API lives: the gateway's /api. */
const transport = createConnectTransport({ baseUrl: "/api" });

export const clients = Object.fromEntries(
  Object.entries(services).map(([name, desc]) => [name, createClient(desc, transport)]),
) as { [K in keyof typeof services]: ReturnType<typeof createClient<(typeof services)[K]>> };

/** A message a user can act on; internal details stay in the server logs. */
export function userMessage(err: unknown): string {
  const e = ConnectError.from(err);
  if (e.code === Code.InvalidArgument) return e.rawMessage;
  if (e.code === Code.Unauthenticated) return "Please sign in.";
  if (e.code === Code.PermissionDenied) return "You don't have access to this.";
  if (e.code === Code.Unavailable) return "The service is unavailable; try again shortly.";
  return "Something went wrong. We've logged it.";
}
