/**
 * One whole sign-in at the Better Auth peer (bench/better-auth-peer.ts), as its browser would
 * make it: POST /api/auth/sign-in/social → the provider's authorization URL (state, PKCE
 * challenge, nonce) and a state cookie; the provider's authorization endpoint, told the user by
 * `login_hint` as the service's sign-in tells it (bench/provider.ts), redirects with code and
 * state; GET that callback with the cookie → 302 to the callbackURL with a session cookie.
 */
import type { Agent } from "node:http";
import { type BenchUser, emailOf, send, type SignInOnce } from "./load.ts";

const START_BODY = JSON.stringify({ provider: "corp", callbackURL: "/done", disableRedirect: true });

function cookiesOf(headers: Record<string, string | string[] | undefined>): string {
  const set = headers["set-cookie"];
  return (Array.isArray(set) ? set : set === undefined ? [] : [set]).map((c) => c.split(";")[0]).join("; ");
}

export const betterAuthSignInOnce: SignInOnce = async (url: string, peerAgent: Agent, providerAgent: Agent, user: BenchUser) => {
  const start = await send(
    peerAgent,
    "POST",
    `${url}/api/auth/sign-in/social`,
    { "content-type": "application/json", origin: url },
    START_BODY,
  );
  if (start.status !== 200) throw new Error(`sign-in/social answered ${start.status}: ${start.text.slice(0, 300)}`);
  const authorizationUrl = new URL((JSON.parse(start.text) as { url: string }).url);
  if (!authorizationUrl.searchParams.get("nonce")) throw new Error(`no nonce in the authorization URL ${authorizationUrl.href}`);
  authorizationUrl.searchParams.set("login_hint", emailOf(user));
  const atProvider = await send(providerAgent, "GET", authorizationUrl.href);
  const location = atProvider.headers.location;
  if (atProvider.status !== 302 || typeof location !== "string")
    throw new Error(`the provider's authorization endpoint answered ${atProvider.status}: ${atProvider.text.slice(0, 300)}`);
  const callback = await send(peerAgent, "GET", location, { cookie: cookiesOf(start.headers) });
  const session = cookiesOf(callback.headers).includes("better-auth.session_token=");
  if (callback.status !== 302 || callback.headers.location !== "/done" || !session)
    throw new Error(`the callback answered ${callback.status} to ${String(callback.headers.location)}: ${callback.text.slice(0, 300)}`);
};
