/**
 * The login and consent interactions oidc-provider sends the browser to: GET shows the page,
 * POST login / confirm / abort finishes the step and hands the browser back to oidc-provider.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Accounts } from "./accounts.ts";
import { readBody, send } from "./http-helpers.ts";
import type { OidcGrant, OidcInteraction, OidcProvider } from "./oidc-provider-binding.ts";
import { PAGE_HEADERS, type PageText, consentPage, loginPage } from "./pages.ts";

/** `/interaction/:uid` and its actions; whoever drives the pages headlessly matches with it. */
export const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|confirm|abort))?$/;
/** Header on the login and consent pages naming the prompt ("login" or "consent"). */
export const INTERACTION_PROMPT_HEADER = "x-interaction-prompt";

export interface InteractionContext {
  /** the Provider instance serving now (rotateKeys replaces it) */
  provider: OidcProvider;
  accounts: Accounts;
  pageText: PageText;
}

/** Answers `/interaction/:uid` (action undefined) and `/interaction/:uid/:action`. */
export async function handleInteraction(
  req: IncomingMessage,
  res: ServerResponse,
  uid: string,
  action: string | undefined,
  { provider, accounts, pageText }: InteractionContext,
): Promise<void> {
  let details: OidcInteraction;
  try {
    details = await provider.interactionDetails(req, res);
  } catch (err) {
    send(res, 400, `interaction not found: ${(err as Error).message}`);
    return;
  }
  if (details.uid !== uid) {
    send(res, 400, "interaction cookie does not match the interaction in the URL");
    return;
  }
  const prompt = details.prompt.name;
  const clientId = String(details.params.client_id ?? "");

  if (action === undefined) {
    if (req.method !== "GET") {
      send(res, 405, "method not allowed");
      return;
    }
    // The login form starts with the account the client suggested (OIDC Core §3.1.2.1 login_hint).
    const hint = typeof details.params.login_hint === "string" ? details.params.login_hint : "";
    const html =
      prompt === "login"
        ? loginPage(pageText, uid, clientId, undefined, hint)
        : consentPage(pageText, uid, clientId, String(details.params.scope ?? ""));
    send(res, 200, html, "text/html; charset=utf-8", { ...PAGE_HEADERS, [INTERACTION_PROMPT_HEADER]: prompt });
    return;
  }

  if (req.method !== "POST") {
    send(res, 405, "method not allowed");
    return;
  }
  const body = new URLSearchParams(await readBody(req));

  if (action === "abort") {
    await provider.interactionFinished(
      req,
      res,
      { error: "access_denied", error_description: "End-User refused to grant access" },
      { mergeWithLastSubmission: false },
    );
    return;
  }

  if (action === "login") {
    if (prompt !== "login") {
      send(res, 400, `interaction expects prompt ${prompt}, not login`);
      return;
    }
    const login = body.get("login") ?? "";
    const user = accounts.authenticate(login, body.get("password") ?? "");
    if (!user) {
      // 400, so a headless driver stops here; a person sees the form again with the problem.
      const html = loginPage(pageText, uid, clientId, "Sign-in failed: unknown user or wrong password.", login);
      send(res, 400, html, "text/html; charset=utf-8", PAGE_HEADERS);
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
    return;
  }

  // action === "confirm"
  if (prompt !== "consent") {
    send(res, 400, `interaction expects prompt ${prompt}, not consent`);
    return;
  }
  const accountId = details.session?.accountId;
  if (!accountId) {
    send(res, 400, "no signed-in account for this interaction");
    return;
  }
  let grant: OidcGrant | undefined;
  if (details.grantId) grant = await provider.Grant.find(details.grantId);
  grant ??= new provider.Grant({ accountId, clientId });
  const d = details.prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(" "));
  if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
  if (d.missingResourceScopes) {
    for (const [indicator, scopes] of Object.entries(d.missingResourceScopes)) {
      grant.addResourceScope(indicator, scopes.join(" "));
    }
  }
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}
