import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import Fastify, { type FastifyInstance } from "fastify";
import "@fastify/swagger";
import type { AppOptions } from "../app.ts";
import type { Config } from "../config.ts";
import type { Breaker } from "../domain/breaker.ts";
import { installAbuseLimits } from "../http/abuse-limits.ts";
import { installErrorHandling } from "../http/error-handling.ts";
import { registerApiDocs } from "../http/public/docs-routes.ts";
import { createMetrics, type Metrics } from "../http/public/metrics.ts";
import type { Store } from "../store/store.ts";
import { clientErrorHandler, frameworkErrors, refuseUnstorableStrings } from "../http/request-hygiene.ts";
import { registerSecurityHeaders } from "../http/security-headers.ts";
import { markInvalidUtf8Path, refuseInvalidUtf8 } from "../http/utf8-hygiene.ts";
import { atRootMount } from "../http/api-v1-mount.ts";
import { redisWindowCounters } from "../state/redis-state.ts";
import type { SharedState } from "./backends.ts";

/** Names that hold credentials wherever the service might log them. */
const SECRET_FIELDS = [
  "clientSecret",
  "nextClientSecret",
  "code",
  "access_token",
  "id_token",
  "refresh_token",
  "accessToken",
  "idToken",
  "refreshToken",
  "code_verifier",
  "password",
];

/**
 * Paths redacted from every log line: credentials never reach the logs. Explicit paths only:
 * pino's wildcard paths walk every logged object and cost several times a whole line (the
 * request serializer below already leaves out headers and bodies; these are the second guard).
 */
export const REDACTED_LOG_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-session-token"]',
  'res.headers["set-cookie"]',
  'res.headers["x-session-token"]',
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((name) => `body.${name}`),
  "settings.clientSecret",
  "provider.clientSecret",
];

/** The Fastify instance: its logger (redacted), request ids, body limit, proxies, and AuthError answers for parser errors. */
export function createServer(config: Config, options: AppOptions): FastifyInstance {
  const server = Fastify({
    logger: {
      level: config.logLevel,
      redact: { paths: REDACTED_LOG_PATHS, censor: "[redacted]" },
      // Query strings can carry codes, states and emails: log the path only.
      serializers: {
        req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, path: req.url.split("?")[0], ip: req.ip }),
      },
      ...(options.logStream && { stream: options.logStream }),
    },
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: 64 * 1024,
    // X-Forwarded-For is believed only from the configured proxies.
    trustProxy: config.trustProxy.length > 0 ? [...config.trustProxy] : false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
    // Parser and router errors answer AuthError JSON like every other failure.
    clientErrorHandler,
    frameworkErrors,
    // Path segments that are not UTF-8 are marked before routing, so the refusal can name them.
    // The public API under /api/v1 is routed as at the root (one endpoint, two mounts).
    rewriteUrl: (req) => atRootMount(markInvalidUtf8Path(req)),
    ...(options.server && { serverFactory: () => options.server! }),
  });
  // Callback hooks on every request: an async one costs a promise and a turn per request.
  server.addHook("onSend", (request, reply, payload, done) => {
    reply.header("x-request-id", request.id);
    done(null, payload);
  });
  return server;
}

/** What every route goes through: error mapping, request hygiene, abuse limits, security headers, the API docs, metrics. */
export async function installEdges(
  server: FastifyInstance,
  config: Config,
  parts: { metrics: Metrics; shared: SharedState; redisBreaker: Breaker },
): Promise<void> {
  installErrorHandling(server);
  refuseUnstorableStrings(server);
  refuseInvalidUtf8(server);
  const { limitCounters } = parts.shared;
  if (config.rateLimitPerMinute > 0)
    await installAbuseLimits(server, {
      perMinute: config.rateLimitPerMinute,
      ...(limitCounters && { shared: redisWindowCounters(limitCounters, parts.redisBreaker) }),
    });
  await registerSecurityHeaders(server, { corsOrigins: config.corsOrigins, publicUrl: config.publicUrl });
  await registerApiDocs(server, config.publicUrl);
  parts.metrics.install(server);
}

/** /metrics, its organisation and provider labels bounded by what is stored. */
export function serviceMetrics(config: Config, store: Store): Metrics {
  return createMetrics({
    token: config.metricsToken,
    configured: {
      providersOf: async (orgId) =>
        (await store.organisations.get(orgId)) ? (await store.providers.list(orgId)).map((p) => p.providerName) : undefined,
    },
  });
}

/**
 * Stops serving: in-flight requests finish; keep-alive connections that go idle meanwhile are
 * closed as they do, so the close does not wait for their keep-alive timeout.
 */
export async function closeServer(server: FastifyInstance, given: Server | undefined): Promise<void> {
  const idle = setInterval(() => server.server.closeIdleConnections(), 100);
  try {
    // Fastify closes only a server it listened on: stop accepting and let in-flight requests finish first.
    if (given?.listening) await new Promise<void>((resolve) => given.close(() => resolve()));
    await server.close();
  } finally {
    clearInterval(idle);
  }
}
