import type { Interceptor } from "@connectrpc/connect";
import { ConnectError } from "@connectrpc/connect";
import { context, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { NodeSDK } from "@opentelemetry/sdk-node";
import type { SpanProcessor } from "@opentelemetry/sdk-trace-base";

/**
 * Starts OpenTelemetry for the process. Spans are always made (ids reach the logs); they leave the
 * process only when an OTLP endpoint is configured or a test passes its own span processor.
 */
export function startTracing(opts: {
  service: string;
  otlpEndpoint?: string | undefined;
  spanProcessors?: SpanProcessor[];
}): NodeSDK {
  const sdk = new NodeSDK({
    serviceName: opts.service,
    ...(opts.otlpEndpoint
      ? {
          traceExporter: new OTLPTraceExporter({
            url: `${opts.otlpEndpoint.replace(/\/$/, "")}/v1/traces`,
          }),
        }
      : {}),
    ...(opts.spanProcessors ? { spanProcessors: opts.spanProcessors } : {}),
    instrumentations: [],
  });
  sdk.start();
  return sdk;
}

const tracer = () => trace.getTracer("portal");

/**
 * Server side: continues the caller's trace (W3C traceparent) in a span per RPC. Client side
 * (`traceOutgoing`): sends the current trace on every call, so a trace follows gateway -> service.
 */
export const traceIncoming: Interceptor = (next) => async (req) => {
  const parent = propagation.extract(context.active(), req.header, {
    get: (h, k) => h.get(k) ?? undefined,
    keys: (h) => [...h.keys()],
  });
  const name = `${req.service.typeName}/${req.method.name}`;
  return tracer().startActiveSpan(
    name,
    { kind: SpanKind.SERVER, attributes: { "rpc.system": "connect_rpc", "rpc.method": name } },
    parent,
    async (span) => {
      try {
        return await next(req);
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: ConnectError.from(err).rawMessage });
        throw err;
      } finally {
        span.end();
      }
    },
  );
};

export const traceOutgoing: Interceptor = (next) => async (req) => {
  propagation.inject(context.active(), req.header, { set: (h, k, v) => h.set(k, v) });
  return next(req);
};
