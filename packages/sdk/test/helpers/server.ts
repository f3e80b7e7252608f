/**
 * Loopback HTTP servers for the SDK's tests: real sockets on 127.0.0.1, scripted answers,
 * every request recorded. Reusable by integration tests that need a fake upstream.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request as the server received it. */
export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/userAccount/oauth/exchange`. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Answers the `index`-th request (0-based). */
export type Handler = (request: RecordedRequest, response: ServerResponse, index: number) => void;

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Starts a server on a loopback port: `port`, or an ephemeral one. */
export async function startServer(handler: Handler, port = 0): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const recorded = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      requests.push(recorded);
      handler(recorded, res, requests.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers `status` with a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Answers `status` with a raw body. */
export function sendText(res: ServerResponse, status: number, body: string, contentType = "text/plain"): void {
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** Closes the connection without answering, as a crashed server or a reset network would. */
export function dropConnection(res: ServerResponse): void {
  res.socket?.destroy();
}

/** Never answers (until the server is closed). */
export function hang(): void {}

/** A loopback port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A valid 200 answer of `POST /userAccount/oauth/exchange`. */
export const EXCHANGE_OK = { access_token: "provider-at", id_token: "provider-idt", token_type: "Bearer", expires_in: 3600 };

/** The seed's example call. */
export const SEED_EXCHANGE = {
  code: "<value>",
  email: "Jason2@gmail.com",
  provider: "<value>",
  redirectUri: "https://enlightened-developing.info",
};

/** A valid 200 answer of `GET /userAccount/oauth/authorize`. */
export const AUTHORIZATION_OK = { authorizationUrl: "https://idp.example/authorize?state=st-1", state: "st-1" };

/** An `oauth.authorizationUrl` call: an idempotent operation, retried as configured. */
export const SEED_AUTHORIZE = { provider: "<value>", email: "Jason2@gmail.com", redirectUri: "https://enlightened-developing.info" };
