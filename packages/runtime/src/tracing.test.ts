import { create } from "@bufbuild/protobuf";
import type { ConnectRouter } from "@connectrpc/connect";
import { createClient, createRouterTransport } from "@connectrpc/connect";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { ServiceInfoSchema } from "@portal/api";
import { FundService } from "@portal/api/funds/v1/funds";
import { GatewayService } from "@portal/api/gateway/v1/gateway";
import { afterAll, describe, expect, it } from "vitest";
import { inProcessClients } from "./clients.js";
import { startTracing, traceIncoming } from "./tracing.js";

describe("tracing across services", () => {
  const exporter = new InMemorySpanExporter();
  const processor = new SimpleSpanProcessor(exporter);
  const sdk = startTracing({ service: "test", spanProcessors: [processor] });
  afterAll(() => sdk.shutdown());

  it("continues the caller's trace in the service it calls", async () => {
    const info = (service: string) => create(ServiceInfoSchema, { service });
    const routes = new Map<string, (r: ConnectRouter) => void>();
    const clients = inProcessClients((n) => routes.get(n), [traceIncoming]);
    let traceparent: string | null = null;
    routes.set("funds", (r) =>
      r.service(FundService, {
        getServiceInfo: async (_req, ctx) => {
          traceparent = ctx.requestHeader.get("traceparent");
          return { info: info("funds") };
        },
      }),
    );
    // The gateway's handler calls funds, as a forwarded call does.
    routes.set("gateway", (r) =>
      r.service(GatewayService, {
        getServiceInfo: async () => ({
          info: (await clients.get("funds").getServiceInfo({})).info ?? info("none"),
        }),
        getCaller: async () => ({}),
      }),
    );
    const edge = createClient(
      GatewayService,
      createRouterTransport(routes.get("gateway") as (r: ConnectRouter) => void, {
        router: { interceptors: [traceIncoming] },
      }),
    );
    const res = await edge.getServiceInfo({});
    expect(res.info?.service).toBe("funds");

    await processor.forceFlush(); // spans are exported asynchronously
    const spans = exporter.getFinishedSpans();
    const gw = spans.find((s) => s.name === "portal.gateway.v1.GatewayService/GetServiceInfo");
    const funds = spans.find((s) => s.name === "portal.funds.v1.FundService/GetServiceInfo");
    expect(gw).toBeDefined();
    expect(funds).toBeDefined();
    expect(funds?.spanContext().traceId).toBe(gw?.spanContext().traceId);
    expect(funds?.parentSpanContext?.spanId).toBe(gw?.spanContext().spanId);
    // carried on the wire (W3C trace context), so it survives a network hop too
    expect(traceparent).toContain(gw?.spanContext().traceId);
  });
});
