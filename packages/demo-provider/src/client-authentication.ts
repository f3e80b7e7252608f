/**
 * oidc-provider 9 treats client_secret_basic and client_secret_post as interchangeable
 * (either mechanism is accepted for a client registered with either). Real providers
 * (and the contract the service is tested against) refuse the unregistered one, so this
 * server enforces the registered method in front of oidc-provider, answering exactly
 * as oidc-provider answers a failed client authentication. Everything else, including
 * the secret check itself, is left to oidc-provider, which receives the request unchanged.
 */
import { IncomingMessage as NodeIncomingMessage } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBodyBytes, sendJson } from "./http-helpers.ts";
import type { NodeHandler } from "./oidc-provider-binding.ts";
import type { ProviderClient } from "./types.ts";

/** endpoints where clients authenticate with their secret */
export const CLIENT_AUTH_PATHS = new Set(["/token", "/token/introspection", "/token/revocation", "/request"]);

/** client_id → the token endpoint auth method it was registered with */
export function registeredAuthMethods(clients: readonly ProviderClient[]): Map<string, string> {
  return new Map(clients.map((c) => [c.client_id, c.token_endpoint_auth_method ?? "client_secret_basic"]));
}

/**
 * Refuses a client authenticating with the method it was not registered with; hands every other
 * request, with the very same body, to `forward` (oidc-provider's handler).
 */
export async function enforceClientAuthMethod(
  req: IncomingMessage,
  res: ServerResponse,
  { issuer, registered: registeredAuthMethod, forward }: { issuer: string; registered: ReadonlyMap<string, string>; forward: NodeHandler },
): Promise<void> {
  // oidc-provider itself refuses bodies over 56 KiB; read a little more so it still can.
  const raw = await readBodyBytes(req, 1024 * 1024);
  const form = /^application\/x-www-form-urlencoded\b/i.test(req.headers["content-type"] ?? "")
    ? new URLSearchParams(raw.toString("utf8"))
    : new URLSearchParams();
  const authorization = req.headers.authorization ?? "";
  const basic = /^Basic\s+(\S+)$/i.exec(authorization);
  let used: string | undefined;
  let clientId: string | undefined;
  if (basic?.[1] && !form.has("client_secret")) {
    used = "client_secret_basic";
    const decoded = Buffer.from(basic[1], "base64").toString("utf8");
    const i = decoded.indexOf(":");
    try {
      clientId = i > 0 ? decodeURIComponent(decoded.slice(0, i).replace(/\+/g, " ")) : undefined;
    } catch {
      clientId = undefined; // malformed: let oidc-provider reject it
    }
  } else if (!authorization && form.has("client_secret")) {
    used = "client_secret_post";
    clientId = form.get("client_id") ?? undefined;
  }
  const registered = clientId !== undefined ? registeredAuthMethod.get(clientId) : undefined;
  if (used && registered && used !== registered) {
    const error = { error: "invalid_client", error_description: "client authentication failed" };
    const headers: Record<string, string> = {};
    if (used === "client_secret_basic") {
      headers["www-authenticate"] = `Basic realm="${issuer}", error="invalid_client", error_description="client authentication failed"`;
    }
    sendJson(res, 401, error, headers);
    return;
  }
  // Hand oidc-provider a fresh request carrying the very same bytes.
  const replay = new NodeIncomingMessage(req.socket);
  replay.method = req.method;
  replay.url = req.url;
  replay.headers = req.headers;
  replay.rawHeaders = req.rawHeaders;
  replay.httpVersion = req.httpVersion;
  replay.httpVersionMajor = req.httpVersionMajor;
  replay.httpVersionMinor = req.httpVersionMinor;
  // Marked complete so that auto-destroying the replay at its end does not destroy the socket.
  replay.complete = true;
  replay.push(raw);
  replay.push(null);
  forward(replay, res);
}
