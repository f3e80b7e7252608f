import rateLimit, { normalizeIP } from "@fastify/rate-limit";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { failure, FailureError } from "../domain/failures.ts";
import { type SharedWindowCounters, sharedOrLocalStore } from "./limit-counters.ts";

/** The sign-in calls that name an account: limited per email too, so one account cannot be hammered from many addresses. */
const EMAIL_LIMITED_ROUTES = new Set([
  "/userAccount/initAuth",
  "/userAccount/oauth/authorize",
  "/userAccount/oauth/exchange",
  "/userAccount/authenticate",
]);

/** Probes from load balancers and orchestrators are never limited. */
const UNLIMITED_ROUTES = new Set(["/healthz", "/readyz"]);

export interface AbuseLimitOptions {
  /** Requests per minute per client address and endpoint, and per email and endpoint. */
  readonly perMinute: number;
  /**
   * Counters every instance shares (Redis); while they do not answer, each instance counts in its
   * own memory (`sharedOrLocalStore`). Default: this process's memory.
   */
  readonly shared?: SharedWindowCounters;
}

const endpoint = (request: FastifyRequest) => `${request.routeOptions.method} ${request.routeOptions.url}`;

/** The email a sign-in call names, in the body (initAuth, exchange, authenticate) or the query (authorize). */
function namedEmail(request: FastifyRequest): string | undefined {
  for (const source of [request.body, request.query]) {
    const email = (source as { email?: unknown } | undefined)?.email;
    if (typeof email === "string" && email !== "") return email.trim().toLowerCase();
  }
  return undefined;
}

function tooManyRequests(reply: FastifyReply, retryAfterSeconds: number, what: string): FailureError {
  const seconds = Math.max(1, retryAfterSeconds);
  reply.header("retry-after", String(seconds));
  return new FailureError(failure("TOO_MANY_REQUESTS", `Too many requests ${what}; try again in ${seconds} seconds.`));
}

/**
 * Per-address limits on every endpoint but the health probes (at `onRequest`, before the body is
 * read), and per-email limits on the sign-in calls that name an account (at `preHandler`, once
 * the body is validated). Both count `perMinute` requests in fixed one-minute windows, in Redis
 * when given so that several instances share them. The address is `request.ip`: the peer, or
 * the client `X-Forwarded-For` names when the peer is a trusted proxy (Fastify's `trustProxy`).
 * While Redis does not answer (or its breaker is open) each instance counts in its own memory,
 * without waiting for Redis: the limits protect the service, they must not stop or slow it.
 */
export async function installAbuseLimits(app: FastifyInstance, options: AbuseLimitOptions): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    max: options.perMinute,
    timeWindow: 60_000,
    skipOnError: true,
    ...(options.shared !== undefined && { store: sharedOrLocalStore(options.shared) }),
  });
  const perAddress = app.createRateLimit({ keyGenerator: (request) => `address:${normalizeIP(request.ip)}:${endpoint(request)}` });
  const perEmail = app.createRateLimit({ keyGenerator: (request) => `email:${namedEmail(request) ?? ""}:${endpoint(request)}` });

  app.addHook("onRequest", async (request, reply) => {
    const route = request.routeOptions.url;
    if (route === undefined || UNLIMITED_ROUTES.has(route)) return;
    const limit = await perAddress(request);
    if (!limit.isAllowed && limit.isExceeded) throw tooManyRequests(reply, limit.ttlInSeconds, "from your address");
  });
  app.addHook("preHandler", async (request, reply) => {
    if (!EMAIL_LIMITED_ROUTES.has(request.routeOptions.url ?? "") || namedEmail(request) === undefined) return;
    const limit = await perEmail(request);
    if (!limit.isAllowed && limit.isExceeded) throw tooManyRequests(reply, limit.ttlInSeconds, "for this account");
  });
}
