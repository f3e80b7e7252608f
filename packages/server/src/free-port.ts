import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import { failure } from "./domain/failures.ts";
import { authErrorBody } from "./http/error-handling.ts";
import type { ConfigDraft } from "./config.ts";

/** The port is taken: most likely by another pipeshub-auth on it. */
export class PortInUseError extends Error {
  readonly port: number;
  constructor(port: number, options?: { cause?: unknown }) {
    super(`port ${port} is in use — is pipeshub-auth already running?`, options);
    this.name = "PortInUseError";
    this.port = port;
  }
}

/** The service's HTTP server, listening before anything else happens at start. */
export interface BoundPort {
  readonly server: Server;
  /** The port it listens on (the one asked for, or the one picked for PORT=0). */
  readonly port: number;
  /** From now on, requests go to `handler`; until then they are answered 503 "starting". */
  serve(handler: RequestListener): void;
}

const STARTING = JSON.stringify(authErrorBody(failure("SERVICE_UNAVAILABLE", "pipeshub-auth is starting. Try again in a moment.")));

function answerStarting(_request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(503, { "content-type": "application/json; charset=utf-8", "retry-after": "1", "cache-control": "no-store" });
  response.end(STARTING);
}

/**
 * Binds HOST:PORT first thing at start, so that a second start on a port in use stops before it
 * touches DATA_DIR (secrets, demo.json, the database, the demo provider's settings). Rejects with
 * `PortInUseError` on EADDRINUSE. The server is the service's own: the app is attached to it
 * (`buildApp`'s `server` option) and `serve` hands it the requests once the app is ready.
 */
export async function bindPort(host: string, port: number): Promise<BoundPort> {
  let handler: RequestListener = answerStarting;
  const server = createServer((request, response) => handler(request, response));
  // Fastify's default, which the service ran with when Fastify made its server: longer than
  // the idle timeout of common load balancers (60 s), so they never reuse a closed connection.
  server.keepAliveTimeout = 72_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host, port, exclusive: true }, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") throw new PortInUseError(port, { cause: error });
    throw error;
  }
  const address = server.address();
  return {
    server,
    port: typeof address === "object" && address ? address.port : port,
    serve(next) {
      handler = next;
    },
  };
}

/**
 * The config with the port the service is bound to. PORT=0 without PUBLIC_URL would make the
 * public URL (the tokens' issuer, the demo's redirect URI) name port 0: it names the bound port.
 */
export function withBoundPort(draft: ConfigDraft, port: number): ConfigDraft {
  if (draft.port === port) return draft;
  const publicUrl = new URL(draft.publicUrl);
  if (draft.port !== 0 || publicUrl.port !== "0") return Object.freeze({ ...draft, port });
  publicUrl.port = String(port);
  return Object.freeze({ ...draft, port, publicUrl: publicUrl.href.replace(/\/+$/, "") });
}
