import type { FastifyInstance } from "fastify";
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { AuditEvent } from "../../domain/audit.ts";

/** The service's Prometheus metrics, in a registry of its own (tests build many apps). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: "pipeshub_auth_http_requests_total",
    help: "HTTP requests by route, method and status",
    labelNames: ["route", "method", "status"] as const,
    registers: [registry],
  });
  const signIns = new Counter({
    name: "pipeshub_auth_sign_ins_total",
    help: "Sign-in steps (oauth.exchange, authenticate, …) by organisation, provider and outcome",
    labelNames: ["event", "org", "provider", "outcome", "error"] as const,
    registers: [registry],
  });
  const providerCalls = new Histogram({
    name: "pipeshub_auth_provider_call_duration_seconds",
    help: "Latency of calls to providers by provider and endpoint (discovery, jwks, token, userinfo)",
    labelNames: ["provider", "endpoint"] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    registry,
    recordSignIn(event: AuditEvent): void {
      signIns.inc({ event: event.event, org: event.orgId ?? "none", provider: event.provider ?? "none", outcome: event.outcome, error: event.error ?? "" });
    },
    observeProviderCall(provider: string, endpoint: string, seconds: number): void {
      providerCalls.observe({ provider, endpoint }, seconds);
    },
    /**
     * Counts every response by its route pattern (never the raw URL: it may carry codes), and
     * serves /metrics. Installed on the root instance so the hook sees every route.
     */
    install(app: FastifyInstance): void {
      app.addHook("onResponse", async (request, reply) => {
        requests.inc({ route: request.routeOptions.url ?? "unmatched", method: request.method, status: String(reply.statusCode) });
      });
      app.get("/metrics", { schema: { hide: true } }, async (_request, reply) => {
        reply.type(registry.contentType);
        return registry.metrics();
      });
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
