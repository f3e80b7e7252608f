import cors from "@fastify/cors";
import helmet from "helmet";
import type { FastifyInstance } from "fastify";

/**
 * Strict for every page and asset: scripts, styles and images from this origin only, no inline
 * code, no framing; the page talks to this service only.
 */
const WEB_CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'"],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  baseUri: ["'none'"],
  objectSrc: ["'none'"],
  frameAncestors: ["'none'"],
} as const;

/**
 * The API reference at /docs: swagger-ui from this origin, the same rules as the sign-in page but
 * for what its bundle needs — `data:` images and fonts in its stylesheet, and the one `<style>`
 * element the bundle injects (allowed by its hash, not by 'unsafe-inline').
 */
export const DOCS_CSP_DIRECTIVES = {
  ...WEB_CSP_DIRECTIVES,
  styleSrc: ["'self'", "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='"],
  imgSrc: ["'self'", "data:"],
  fontSrc: ["'self'", "data:"],
} as const;

/** Renders directives as a Content-Security-Policy header value (swagger-ui sets its own header). */
export function cspHeader(directives: Readonly<Record<string, readonly string[]>>): string {
  return Object.entries(directives)
    .map(([name, sources]) => `${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${sources.join(" ")}`)
    .join("; ");
}

export interface SecurityHeaderOptions {
  /** Origins allowed to call the API from a browser; empty: no CORS headers at all. */
  readonly corsOrigins: readonly string[];
  /** HSTS only when the service is reached over https (browsers ignore it on http anyway). */
  readonly publicUrl: string;
}

/**
 * Helmet's headers on every response (the strict CSP above, no framing, no referrer, nosniff),
 * and CORS for the configured origins only. Registered before every route.
 */
export async function registerSecurityHeaders(app: FastifyInstance, options: SecurityHeaderOptions): Promise<void> {
  // Built once: @fastify/helmet rebuilt this middleware from its options on every request.
  const setHeaders = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { ...WEB_CSP_DIRECTIVES } },
    frameguard: { action: "deny" },
    // The callback's URL carries the authorization code: never send it on as a referrer.
    referrerPolicy: { policy: "no-referrer" },
    strictTransportSecurity: new URL(options.publicUrl).protocol === "https:" ? { maxAge: 31_536_000 } : false,
  });
  app.addHook("onRequest", (request, reply, done) => setHeaders(request.raw, reply.raw, (error) => done(error as Error | undefined)));
  if (options.corsOrigins.length === 0) return;
  await app.register(cors, {
    origin: [...options.corsOrigins],
    methods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
    allowedHeaders: ["authorization", "content-type", "x-session-token", "x-request-id"],
    exposedHeaders: ["x-session-token", "x-request-id", "retry-after", "x-next-cursor"],
    // Bearer tokens travel in headers; the API sets no cookies a browser should send cross-origin.
    credentials: false,
    maxAge: 600,
  });
}
