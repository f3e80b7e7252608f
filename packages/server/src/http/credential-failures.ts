import { normalizeIP } from "@fastify/rate-limit";
import type { FastifyReply, FastifyRequest } from "fastify";
import { failure, FailureError } from "../domain/failures.ts";
import type { AuditTrail } from "../domain/ports/repositories.ts";
import type { ShortLivedState } from "../domain/ports/short-lived-state.ts";

/** The credentials whose refusals are counted: what the log line names (never the value). */
export type AdminCredential = "admin token" | "setup token" | "setup link" | "access token" | "SCIM token" | "introspection token";

export interface CredentialFailurePorts {
  /** The counters: the shared state, so that every instance on the same Redis counts together. */
  readonly counters: Pick<ShortLivedState, "get" | "increment">;
  /** Where each refusal is recorded, as `admin.auth_failed`. */
  readonly audit: Pick<AuditTrail, "record">;
  readonly now?: () => number;
}

/** One limiter on guessing admin credentials, shared by every route that takes one. */
export interface CredentialFailures {
  /**
   * Before any credential is checked: an address past its refusals of this minute gets 429
   * TOO_MANY_REQUESTS with Retry-After, whatever it presents — a right guess included, so
   * guessing cannot go on. Usable as an onRequest hook.
   */
  guard(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** A credential was refused: counted against the address, audited and warned (never its value). */
  failed(request: FastifyRequest, credential: AdminCredential): Promise<void>;
}

const WINDOW_MS = 60_000;

/**
 * Refused admin credentials — the admin token, setup links and setup sessions' tokens,
 * organisation admins' access tokens, SCIM tokens and introspection tokens — counted per client
 * address in fixed one-minute windows, across every route that takes them: past `perMinute`
 * (ADMIN_AUTH_FAILURES_PER_MINUTE; 0: not limited) the address gets 429, so guessing the admin
 * token gets `perMinute` tries a minute from an address, not the per-route request limit times
 * the number of routes. A console cookie is not counted: it is 256 random bits, and an old one
 * (after an ADMIN_TOKEN change) would lock its operator out. When the counters cannot be read
 * (Redis down) requests go through, as the abuse limits do: the limit must not stop the service.
 */
export function credentialFailures(perMinute: number, options: CredentialFailurePorts): CredentialFailures {
  const now = options.now ?? Date.now;
  const windowOf = (request: FastifyRequest) => {
    const t = now();
    const index = Math.floor(t / WINDOW_MS);
    return { key: `admin-auth-failures:${normalizeIP(request.ip)}:${index}`, leftMs: (index + 1) * WINDOW_MS - t };
  };

  return {
    async guard(request, reply) {
      if (perMinute === 0) return;
      const { key, leftMs } = windowOf(request);
      const count = Number((await options.counters.get(key).catch(() => undefined)) ?? 0);
      if (count < perMinute) return;
      const seconds = Math.max(1, Math.ceil(leftMs / 1000));
      reply.header("retry-after", String(seconds));
      throw new FailureError(
        failure(
          "TOO_MANY_REQUESTS",
          `Too many refused admin credentials from your address (ADMIN_AUTH_FAILURES_PER_MINUTE); try again in ${seconds} seconds.`,
        ),
      );
    },
    async failed(request, credential) {
      request.log.warn({ ip: request.ip, credential, route: request.routeOptions.url }, "admin API: credential refused");
      if (perMinute > 0) {
        const { key, leftMs } = windowOf(request);
        await options.counters.increment(key, leftMs + 1000).catch(() => undefined);
      }
      await options.audit.record({
        orgId: null,
        userId: null,
        email: null,
        provider: null,
        event: "admin.auth_failed",
        outcome: "failure",
        error: "UNAUTHORIZED",
        ip: request.ip,
        actor: null,
      });
    },
  };
}
