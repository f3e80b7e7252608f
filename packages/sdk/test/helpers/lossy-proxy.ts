/**
 * A loopback reverse proxy that loses answers: it forwards a request to the upstream, waits
 * until the upstream has answered in full, then closes the client's connection instead of
 * relaying the answer. This is the failure a single-use call must never be replayed after:
 * the service acted, the client cannot know it.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface LossyProxy {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Requests forwarded to the upstream so far, as `METHOD /path`. */
  readonly forwarded: string[];
  close(): Promise<void>;
}

/** Starts a proxy to `upstream` that loses the answers to requests matching `lose` (the path, e.g. `/userAccount/refresh/token`). */
export async function startLossyProxy(upstream: string, lose: (path: string) => boolean): Promise<LossyProxy> {
  const forwarded: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? "/";
    const outgoing = httpRequest(
      new URL(path, upstream),
      { method: req.method, headers: { ...req.headers, host: new URL(upstream).host } },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on("data", (chunk: Buffer) => chunks.push(chunk));
        answer.on("end", () => {
          if (lose(path)) {
            res.socket?.destroy();
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(Buffer.concat(chunks));
        });
      },
    );
    outgoing.on("error", () => res.socket?.destroy());
    forwarded.push(`${req.method} ${path}`);
    req.pipe(outgoing);
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
