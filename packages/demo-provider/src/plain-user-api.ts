/**
 * A GitHub-style plain OAuth 2.0 "user" API (GET /api/user with a bearer access token), for
 * providers configured without ID token or userinfo endpoint.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Accounts } from "./accounts.ts";
import { sendJson } from "./http-helpers.ts";
import type { OidcProvider } from "./oidc-provider-binding.ts";

export const PLAIN_USER_API_PATH = "/api/user";

/** Answers the user API with the claims of the user the access token was issued to. */
export async function handlePlainUserApi(
  req: IncomingMessage,
  res: ServerResponse,
  provider: OidcProvider,
  accounts: Accounts,
): Promise<void> {
  const challenge = { "www-authenticate": 'Bearer error="invalid_token"' };
  if (req.method !== "GET") {
    sendJson(res, 405, { message: "method not allowed" });
    return;
  }
  const auth = req.headers.authorization ?? "";
  const m = /^Bearer\s+(\S+)$/i.exec(auth);
  if (!m?.[1]) {
    sendJson(res, 401, { message: "Requires authentication" }, { "www-authenticate": "Bearer" });
    return;
  }
  const token = await provider.AccessToken.find(m[1]);
  if (!token || token.isExpired) {
    sendJson(res, 401, { message: "Bad credentials" }, challenge);
    return;
  }
  const u = accounts.get(token.accountId);
  if (!u) {
    sendJson(res, 401, { message: "Bad credentials" }, challenge);
    return;
  }
  sendJson(res, 200, { sub: u.sub, email: u.email, email_verified: u.email_verified, name: u.name ?? null });
}
