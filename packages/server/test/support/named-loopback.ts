/**
 * Host names that lead to loopback, without touching /etc/hosts: a tiny DNS server on loopback
 * answering A queries from a script (so a test can make `idp.example.test` resolve to 127.0.0.1,
 * or to one address and then another), a resolver that asks only it, and an HTTPS server with a
 * throwaway certificate for those names.
 */
import { createSocket } from "node:dgram";
import { Resolver } from "node:dns/promises";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listen } from "./faulty-servers.ts";

/** IPv4 addresses for a name, given how many times it was asked before (0 the first time); none is NXDOMAIN. */
export type DnsScript = (name: string, asked: number) => readonly string[];

export interface LoopbackDns {
  /** Resolves through this server only, in the shape the outbound policy takes. */
  resolve(hostname: string): Promise<{ address: string; family: number }[]>;
  /** How many A queries each name got. */
  readonly queries: Map<string, number>;
  close(): Promise<void>;
}

function questionName(message: Buffer): { name: string; end: number } {
  const labels: string[] = [];
  let at = 12;
  while (message[at]! > 0) {
    labels.push(message.subarray(at + 1, at + 1 + message[at]!).toString("ascii"));
    at += 1 + message[at]!;
  }
  return { name: labels.join(".").toLowerCase(), end: at + 5 };
}

/** A DNS server on 127.0.0.1 answering A queries (RFC 1035 §4.1) from `script`. */
export async function startLoopbackDns(script: DnsScript): Promise<LoopbackDns> {
  const socket = createSocket("udp4");
  const queries = new Map<string, number>();
  socket.on("message", (query, peer) => {
    const { name, end } = questionName(query);
    const isA = query.readUInt16BE(end - 4) === 1;
    const asked = queries.get(name) ?? 0;
    const addresses = isA ? script(name, asked) : [];
    if (isA) queries.set(name, asked + 1);
    const header = Buffer.alloc(12);
    query.copy(header, 0, 0, 2);
    header.writeUInt16BE(isA && addresses.length === 0 ? 0x8583 : 0x8580, 2); // answer, authoritative; NXDOMAIN when none
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(addresses.length, 6);
    const answers = addresses.map((address) => {
      const record = Buffer.alloc(16);
      record.writeUInt16BE(0xc00c, 0); // the name in the question
      record.writeUInt16BE(1, 2); // A
      record.writeUInt16BE(1, 4); // IN
      record.writeUInt32BE(0, 6); // TTL 0: never cached
      record.writeUInt16BE(4, 10);
      address.split(".").forEach((octet, i) => record.writeUInt8(Number(octet), 12 + i));
      return record;
    });
    socket.send(Buffer.concat([header, query.subarray(12, end), ...answers]), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const resolver = new Resolver({ timeout: 1_000, tries: 1 });
  resolver.setServers([`127.0.0.1:${(socket.address() as AddressInfo).port}`]);
  return {
    queries,
    async resolve(hostname) {
      return (await resolver.resolve4(hostname)).map((address) => ({ address, family: 4 }));
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

export interface NamedHttpsServer {
  readonly port: number;
  /** The certificate to trust (the outbound policy's `ca`). */
  readonly ca: string;
  /** TCP connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * An HTTPS server on `address` answering `{"ok":true}`, with a self-signed certificate for
 * `names` made by the openssl command line for this run.
 */
export async function startNamedHttpsServer(names: readonly string[], address = "127.0.0.1", port = 0): Promise<NamedHttpsServer> {
  const dir = mkdtempSync(join(tmpdir(), "named-loopback-"));
  try {
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"],
        ...["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-subj", `/CN=${names[0]}`],
        ...["-addext", `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}`],
      ],
      { stdio: "ignore" },
    );
    const key = readFileSync(join(dir, "key.pem"), "utf8");
    const cert = readFileSync(join(dir, "cert.pem"), "utf8");
    const server = createHttpsServer({ key, cert }, (req, res) => {
      req.resume();
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
    const listening = await listen(server, address, port);
    return {
      port: listening.port,
      ca: cert,
      get connections() {
        return listening.connections;
      },
      close: () => listening.close(),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
