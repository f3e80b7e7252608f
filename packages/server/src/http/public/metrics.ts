import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { AuditEvent } from "../../domain/audit.ts";
import { failure } from "../../domain/failures.ts";
import { sendFailure } from "../error-handling.ts";

/** The label of anything not configured: request input never becomes a label of its own. */
export const OTHER_LABEL = "other";

/** What the sign-in labels are checked against: the configured organisations and their providers. */
export interface ConfiguredNames {
  /** The provider names of organisation `orgId`; undefined when there is no such organisation. */
  providersOf(orgId: string): Promise<readonly string[] | undefined>;
}

export interface MetricsOptions {
  readonly configured?: ConfiguredNames;
  /** Bearer token `/metrics` requires; undefined: open. */
  readonly token?: string | undefined;
}

/** How long a looked-up organisation's provider names are reused, and how many organisations are kept. */
const CONFIGURED_NAMES_TTL_MS = 10_000;
const CONFIGURED_NAMES_CACHE_SIZE = 10_000;

/**
 * Sign-in labels bounded by configuration: an organisation and provider label only when they
 * are configured, `other` for anything else (a random provider name in a request must not
 * create a series), `none` when the event has none. Lookups are cached for a few seconds.
 */
function boundedLabels(configured: ConfiguredNames | undefined) {
  const cache = new Map<string, { providers: ReadonlySet<string> | undefined; expires: number }>();
  return async (event: AuditEvent): Promise<{ org: string; provider: string }> => {
    if (event.orgId === null) return { org: "none", provider: event.provider === null ? "none" : OTHER_LABEL };
    if (!configured) return { org: event.orgId, provider: event.provider ?? "none" };
    let entry = cache.get(event.orgId);
    if (!entry || entry.expires <= Date.now()) {
      if (cache.size >= CONFIGURED_NAMES_CACHE_SIZE) cache.clear();
      // A failed lookup labels the event `other` rather than losing the count.
      const names = await configured.providersOf(event.orgId).catch(() => undefined);
      entry = { providers: names && new Set(names), expires: Date.now() + CONFIGURED_NAMES_TTL_MS };
      cache.set(event.orgId, entry);
    }
    if (!entry.providers) return { org: OTHER_LABEL, provider: event.provider === null ? "none" : OTHER_LABEL };
    const provider = event.provider === null ? "none" : entry.providers.has(event.provider) ? event.provider : OTHER_LABEL;
    return { org: event.orgId, provider };
  };
}

/** The service's Prometheus metrics, in a registry of its own (tests build many apps). */
export function createMetrics(options: MetricsOptions = {}) {
  const labelsOf = boundedLabels(options.configured);
  const expectedToken = options.token === undefined ? undefined : createHash("sha256").update(options.token).digest();
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
  const providerChanges = new Counter({
    name: "pipeshub_auth_provider_changes_total",
    help: "Changes the provider watch found in providers' discovery documents and keys, by organisation and provider",
    labelNames: ["org", "provider"] as const,
    registers: [registry],
  });
  return {
    registry,
    /** Counts a change the provider watch found (its names are configured ones: the watch reads only those). */
    recordProviderChange(orgId: string, provider: string): void {
      providerChanges.inc({ org: orgId, provider });
    },
    /** Counts a sign-in step; its organisation and provider labels are bounded by configuration. */
    async recordSignIn(event: AuditEvent): Promise<void> {
      const { org, provider } = await labelsOf(event);
      signIns.inc({ event: event.event, org, provider, outcome: event.outcome, error: event.error ?? "" });
    },
    observeProviderCall(provider: string, endpoint: string, seconds: number): void {
      providerCalls.observe({ provider, endpoint }, seconds);
    },
    /**
     * Counts every response by its route pattern (never the raw URL: it may carry codes), and
     * serves /metrics. Installed on the root instance so the hook sees every route.
     */
    install(app: FastifyInstance): void {
      app.addHook("onResponse", (request, reply, done) => {
        requests.inc({ route: request.routeOptions.url ?? "unmatched", method: request.method, status: String(reply.statusCode) });
        done();
      });
      app.get("/metrics", { schema: { hide: true } }, async (request, reply) => {
        if (expectedToken) {
          const given = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "")?.[1] ?? "";
          if (!timingSafeEqual(createHash("sha256").update(given).digest(), expectedToken)) {
            reply.header("www-authenticate", 'Bearer realm="metrics"');
            return sendFailure(reply, failure("UNAUTHORIZED", "/metrics: send Authorization: Bearer <METRICS_TOKEN>."));
          }
        }
        reply.type(registry.contentType);
        return registry.metrics();
      });
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
