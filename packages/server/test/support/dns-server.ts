/**
 * A DNS server on loopback for the domain-claim tests: answers TXT queries (RFC 1035 over UDP,
 * encoded by dns-packet) from records a test sets, so the service's resolver (DNS_SERVERS) finds
 * exactly what the test published. A name with no records set is NXDOMAIN; one set to [] exists
 * with no TXT record (NODATA); a silenced name is never answered (the resolver times out).
 */
import { createSocket } from "node:dgram";
import type { AddressInfo } from "node:net";
import type { TestContext } from "node:test";
import * as dnsPacket from "dns-packet";

export interface TxtDnsServer {
  /** `127.0.0.1:<port>`: what DNS_SERVERS takes. */
  readonly address: string;
  /** Publishes the TXT records at `name` (each value one record), replacing what was there; [] leaves the name with none. */
  setTxt(name: string, values: readonly string[]): void;
  /** Removes the name: it becomes NXDOMAIN. */
  remove(name: string): void;
  /** Queries for `name` go unanswered from now on. */
  silence(name: string): void;
  /** How many queries each name got. */
  readonly queries: Map<string, number>;
}

const NXDOMAIN = 3;

/** Starts the server for the test; it stops when the test ends. */
export async function startTxtDnsServer(t: TestContext): Promise<TxtDnsServer> {
  const records = new Map<string, readonly string[]>();
  const silenced = new Set<string>();
  const queries = new Map<string, number>();
  const socket = createSocket("udp4");
  socket.on("message", (message, peer) => {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (!question) return;
    const name = question.name.toLowerCase();
    queries.set(name, (queries.get(name) ?? 0) + 1);
    if (silenced.has(name)) return;
    const values = records.get(name);
    const answers: dnsPacket.Answer[] =
      question.type === "TXT" ? (values ?? []).map((value) => ({ type: "TXT", name: question.name, ttl: 1, data: [value] })) : [];
    const response = dnsPacket.encode({
      type: "response",
      id: query.id ?? 0,
      // Authoritative; NXDOMAIN (RCODE 3, the flags' low bits) when the name was never published.
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (values === undefined ? NXDOMAIN : 0),
      questions: [question],
      answers,
    });
    socket.send(response, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  const { port } = socket.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    setTxt: (name, values) => records.set(name.toLowerCase(), [...values]),
    remove: (name) => records.delete(name.toLowerCase()),
    silence: (name) => silenced.add(name.toLowerCase()),
    queries,
  };
}
