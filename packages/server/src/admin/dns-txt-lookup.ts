import { Resolver } from "node:dns/promises";
import type { TxtAnswer, TxtLookup } from "../domain/domain-claim.ts";

/**
 * TXT lookups through node:dns: at `servers` (DNS_SERVERS) when given, else the system's
 * resolver; each query gets `timeoutMs` and one retry, so a check never hangs.
 */
export function dnsTxtLookup(options: { readonly servers: readonly string[]; readonly timeoutMs: number }): TxtLookup {
  const resolver = new Resolver({ timeout: options.timeoutMs, tries: 2 });
  if (options.servers.length > 0) resolver.setServers(options.servers);
  return async (name) => {
    try {
      const records = await resolver.resolveTxt(name);
      // A record's value may come in several strings of at most 255 bytes: they are one value.
      return records.length > 0 ? { kind: "records", values: records.map((strings) => strings.join("")) } : { kind: "no-records" };
    } catch (error) {
      return answerOf((error as { code?: unknown }).code);
    }
  };
}

function answerOf(code: unknown): TxtAnswer {
  switch (code) {
    case "ENOTFOUND":
      return { kind: "nxdomain" };
    case "ENODATA":
      return { kind: "no-records" };
    case "ETIMEOUT":
      return { kind: "timeout" };
    default:
      return { kind: "failed", code: typeof code === "string" ? code : "EUNKNOWN" };
  }
}
