/**
 * Small purpose-built misbehaving loopback servers for fault-injection tests:
 * a server that never answers, a port nothing listens on, a scripted JSON/HTML
 * responder and a server streaming an oversized body.
 *
 * Every server binds 127.0.0.1 on an ephemeral port; close() destroys open
 * sockets so a test never waits on a hung connection.
 */
import { createServer } from "node:http";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { createServer as createNetServer } from "node:net";
import type { AddressInfo, Server as NetServer, Socket } from "node:net";

export interface FaultyServer {
  /** http://127.0.0.1:PORT (no trailing slash) */
  readonly url: string;
  close(): Promise<void>;
  /** HTTP requests received so far (complete request heads) */
  readonly requests: number;
  /** TCP connections accepted so far (fewer than requests when connections are kept alive) */
  readonly connections: number;
}

export interface ScriptedRequest {
  method: string;
  /** path + query, as sent */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface ScriptedResponse {
  status: number;
  /**
   * A string or Buffer is sent verbatim (default content-type text/plain, set `headers`
   * to e.g. text/html); anything else is JSON-encoded (content-type application/json);
   * undefined sends an empty body.
   */
  body: unknown;
  headers?: Record<string, string>;
}

export type ScriptedHandler = (req: ScriptedRequest) => ScriptedResponse | Promise<ScriptedResponse>;

/** A server listening on loopback, with its connections counted. */
export interface Listening {
  server: NetServer;
  /** http://HOST:PORT (no trailing slash) */
  url: string;
  port: number;
  /** Closes the server, destroying open sockets so no hung connection holds it; the same promise every call. */
  close(): Promise<void>;
  /** TCP connections accepted so far */
  readonly connections: number;
}

/** Listens on `host` and `port` (an ephemeral one by default), counting and keeping track of connections. */
export async function listen(server: NetServer, host = "127.0.0.1", port = 0): Promise<Listening> {
  const sockets = new Set<Socket>();
  let connections = 0;
  server.on("connection", (s: Socket) => {
    connections++;
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    server,
    url: `http://${host}:${bound}`,
    port: bound,
    get connections() {
      return connections;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}

function counted(l: Listening, counter: { n: number }): FaultyServer {
  return {
    url: l.url,
    close: () => l.close(),
    get requests() {
      return counter.n;
    },
    get connections() {
      return l.connections;
    },
  };
}

/** Accepts connections and requests (reads the body) but never answers. */
export async function startHangingServer(): Promise<FaultyServer> {
  const counter = { n: 0 };
  const server = createServer((req: IncomingMessage) => {
    counter.n++;
    req.resume(); // drain the body, never respond
  });
  // Node's default requestTimeout (300 s) would eventually answer 408; make sure it never does.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.keepAliveTimeout = 0;
  return counted(await listen(server), counter);
}

/** A loopback URL nothing listens on: an ephemeral port is bound, then released. */
export async function closedPortUrl(): Promise<string> {
  const server = createNetServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  return `http://127.0.0.1:${port}`;
}

function headersOf(h: IncomingHttpHeaders): Record<string, string | string[] | undefined> {
  return { ...h };
}

/**
 * Scripted responses: the handler sees each request (method, url, headers, full body)
 * and decides the answer — e.g. a token endpoint answering 500 HTML, a 302 redirect,
 * malformed JSON (pass a string), a JSON error object.
 */
export async function startJsonServer(handler: ScriptedHandler): Promise<FaultyServer> {
  const counter = { n: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    counter.n++;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const request: ScriptedRequest = {
        method: req.method ?? "GET",
        url: req.url ?? "/",
        headers: headersOf(req.headers),
        body: Buffer.concat(chunks).toString("utf8"),
      };
      Promise.resolve()
        .then(() => handler(request))
        .then(
          (r) => {
            let payload: Buffer;
            let contentType: string | undefined;
            if (r.body === undefined) {
              payload = Buffer.alloc(0);
            } else if (typeof r.body === "string") {
              payload = Buffer.from(r.body, "utf8");
              contentType = "text/plain; charset=utf-8";
            } else if (Buffer.isBuffer(r.body)) {
              payload = r.body;
              contentType = "application/octet-stream";
            } else {
              payload = Buffer.from(JSON.stringify(r.body), "utf8");
              contentType = "application/json; charset=utf-8";
            }
            const headers: Record<string, string | number> = { "content-length": payload.length };
            if (contentType) headers["content-type"] = contentType;
            for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = v;
            res.writeHead(r.status, headers);
            res.end(payload);
          },
          (err: unknown) => {
            console.error("faulty-servers: scripted handler threw", err);
            res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
            res.end("scripted handler threw");
          },
        );
    });
  });
  return counted(await listen(server), counter);
}

export interface OversizedOptions {
  /** content-type of the body; default application/json */
  contentType?: string;
  /** announce the size in content-length (default false: chunked, size unknown up front) */
  contentLength?: boolean;
  /** status code; default 200 */
  status?: number;
}

/**
 * Answers every request with a body of exactly `bytes` bytes, streamed in chunks with
 * backpressure (stops when the client goes away). With the default content-type the body
 * is valid JSON when bytes >= 16 (`{"padding":"xxxx…"}`), so a client that does not enforce
 * a size limit would happily parse it.
 */
export async function startOversizedServer(bytes: number, options: OversizedOptions = {}): Promise<FaultyServer> {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError("bytes must be a non-negative integer");
  const counter = { n: 0 };
  const head = Buffer.from('{"padding":"');
  const tail = Buffer.from('"}');
  const asJson = bytes >= head.length + tail.length;
  const chunk = Buffer.alloc(64 * 1024, "x");

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    counter.n++;
    req.resume();
    const headers: Record<string, string | number> = {
      "content-type": options.contentType ?? "application/json",
    };
    if (options.contentLength) headers["content-length"] = bytes;
    res.writeHead(options.status ?? 200, headers);

    let remaining = bytes;
    let aborted = false;
    res.on("close", () => {
      aborted = true;
    });
    if (asJson) {
      res.write(head);
      remaining -= head.length + tail.length;
    }
    const pump = (): void => {
      while (!aborted && remaining > 0) {
        const n = Math.min(remaining, chunk.length);
        remaining -= n;
        if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          res.once("drain", pump);
          return;
        }
      }
      if (!aborted) res.end(asJson ? tail : undefined);
    };
    pump();
  });
  return counted(await listen(server), counter);
}
