import type { Failure } from "../domain/failures.ts";
import { isConnectionFailure } from "../domain/provider-connection.ts";
import type { ConfiguredProvider } from "../domain/provider-settings.ts";
import { probe, probeTokenEndpoint, type TokenProbe } from "../oauth/provider-probe.ts";
import { worded } from "../domain/fix-wording.ts";
import { type DoctorContext, type DoctorFinding, fail, pass, settingNamed, settingsHere, unreached, warn } from "./doctor-types.ts";

/**
 * The provider with the endpoints just read, so that the token probe goes to the fresh
 * token endpoint with the configured client authentication and makes no discovery request
 * (explicit endpoints skip discovery in oauth/discovery.ts).
 */
function withEndpoints(context: DoctorContext, clientSecret: string): ConfiguredProvider {
  const { provider, metadata } = context;
  // A secret bound to this issuer goes where its discovery puts the token endpoint: the document just read says where.
  const binding = provider.secretBinding;
  const readHere = binding && "issuer" in binding && binding.issuer === provider.settings.issuer && metadata!.discovered;
  return {
    ...provider,
    clientSecret,
    ...(readHere && { secretBinding: { origin: new URL(metadata!.token_endpoint!).origin } }),
    settings: {
      ...provider.settings,
      tokenEndpoint: metadata!.token_endpoint,
      authorizationUrl: metadata!.authorization_endpoint ?? provider.settings.authorizationUrl,
    },
  };
}

/** The token probe's answer, or the refusal to send the secret there at all (it is bound to another origin). */
async function probeWith(context: DoctorContext, clientSecret: string, redirectUri: string): Promise<TokenProbe | Failure> {
  const connection = await context.discovery.connect(withEndpoints(context, clientSecret));
  if (!connection.ok && connection.error === "INVALID_PROVIDER_SETTINGS") return connection;
  if (!connection.ok) return { reached: false, reason: connection.message, cannotConnect: isConnectionFailure(connection.error) };
  return probeTokenEndpoint(connection.value, redirectUri);
}

/**
 * The token endpoint accepts the client's credentials: a made-up code redeemed with them is
 * refused as `invalid_grant` (the code) when they are right, `invalid_client` (or a bare 401)
 * when they are not.
 */
export async function checkClientCredentials(context: DoctorContext): Promise<DoctorFinding[]> {
  const { provider, metadata } = context;
  const check = "client-credentials";
  const s = provider.settings;
  if (!metadata?.token_endpoint)
    return [
      fail(check, "The provider names no token endpoint: codes cannot be redeemed.", worded`${settingsHere(provider, "tokenEndpoint")}.`),
    ];
  if (!provider.clientSecret)
    return [
      fail(
        check,
        "No client secret is stored for this provider.",
        worded`${settingsHere(provider, "clientSecret")} to the secret the provider issued.`,
      ),
    ];
  const redirectUri = s.redirectUris[0];
  if (!redirectUri)
    return [
      fail(
        check,
        "The provider has no registered redirect URI.",
        worded`${settingsHere(provider, "redirectUris")} to the URIs registered at the provider.`,
      ),
    ];
  const current = await probeWith(context, provider.clientSecret, redirectUri);
  if ("ok" in current) return [withheld(provider, current)];
  const next = provider.nextClientSecret;
  if (next === undefined) return [judgeCredentials(context, current)];
  // A rotation under way: which of the two secrets the provider takes now.
  const nextAnswer = await probeWith(context, next, redirectUri);
  if ("ok" in nextAnswer) return [withheld(provider, nextAnswer)];
  if (refusesClient(current) && acceptsClient(nextAnswer))
    return [
      warn(
        check,
        "The provider refuses the current client secret (invalid_client) but accepts the next one: sign-ins work, falling back to the next secret every time.",
        {
          api: `Here: make the next secret the current one: POST /api/v1/orgs/${provider.orgId}/oauth-providers/${s.providerName}/promote-secret.`,
          console: `Here: make the next secret the current one: Providers › ${s.providerName} › Promote next secret.`,
        },
      ),
    ];
  const finding = judgeCredentials(context, current);
  const nextSays = acceptsClient(nextAnswer)
    ? "the next secret is accepted too (promote it once the provider has switched to it)"
    : refusesClient(nextAnswer)
      ? "the next secret is not accepted (yet): the provider still expects the current one"
      : "the next secret could not be checked";
  const rotation = ` Rotation: ${nextSays}.`;
  return [
    {
      ...finding,
      message: `${finding.message}${rotation}`,
      ...(finding.withoutCause !== undefined && { withoutCause: `${finding.withoutCause}${rotation}` }),
    },
  ];
}

/** The secret was not sent: the settings moved its token endpoint away from the origin it was given for. */
const withheld = (provider: ConfiguredProvider, refusal: Failure): DoctorFinding =>
  fail(
    "client-credentials",
    refusal.message,
    worded`${settingsHere(provider, "clientSecret")} (and ${settingNamed(provider, "nextClientSecret")}, when one is stored) for its token endpoint.`,
  );

const acceptsClient = (answer: TokenProbe) => answer.reached && answer.oauthError === "invalid_grant";
const refusesClient = (answer: TokenProbe) => answer.reached && (answer.oauthError === "invalid_client" || answer.status === 401);

/** What the token endpoint's answer to the made-up code says about the client's credentials. */
function judgeCredentials({ provider, metadata }: DoctorContext, answer: TokenProbe): DoctorFinding {
  const check = "client-credentials";
  const s = provider.settings;
  if (!answer.reached)
    return unreached(
      check,
      `The token endpoint ${metadata!.token_endpoint} could not be reached`,
      answer,
      "At the provider (or the network between): make the token endpoint reachable from this service.",
    );
  if (acceptsClient(answer))
    return pass(check, `Credentials accepted: the token endpoint refused only the made-up code (invalid_grant), not client ${s.clientId}.`);
  if (refusesClient(answer))
    return fail(
      check,
      `The token endpoint refused the client (${answer.oauthError ?? answer.status}): the client secret (or id) is wrong — or it expired, or the client is registered for another authentication method than ${s.tokenEndpointAuthMethod}.`,
      worded`${settingsHere(provider, "clientSecret")} to the client's current secret (and ${settingNamed(provider, "clientId")}, ${settingNamed(provider, "tokenEndpointAuthMethod")} to what the provider registered) — or at the provider: issue a new secret for client ${s.clientId}.`,
    );
  if (answer.oauthError === "unauthorized_client")
    return fail(
      check,
      `The token endpoint says client ${s.clientId} may not use the authorization code grant (unauthorized_client).`,
      "At the provider: allow the authorization code grant for this client.",
    );
  if (answer.status >= 500)
    return fail(
      check,
      `The token endpoint failed (${answer.status}${answer.oauthError ? `, ${answer.oauthError}` : ""}).`,
      "At the provider: its token endpoint is failing; try again later or ask its operator.",
    );
  return warn(
    check,
    `The token endpoint answered ${answer.status}${answer.oauthError ? ` (${answer.oauthError})` : ""} to a made-up code: whether it accepts the client's credentials is not known.`,
    `Try a sign-in; if it fails, check client ${s.clientId}'s secret and authentication method (${s.tokenEndpointAuthMethod}) at the provider.`,
  );
}

/**
 * The userinfo endpoint (or a plain OAuth 2.0 user API) answers: asked without a token it should
 * refuse (401); being reached is what is checked, since sign-in may need it for the email.
 */
export async function checkUserinfo(context: DoctorContext): Promise<DoctorFinding[]> {
  const { provider, metadata } = context;
  const check = "userinfo";
  const endpoint = metadata?.userinfo_endpoint;
  const fix = metadata?.discovered
    ? worded`At the provider: make its userinfo endpoint (${endpoint ?? "userinfo_endpoint"}) reachable — or ${settingsHere(provider, "userInfoEndpoint")} if it lives elsewhere.`
    : worded`${settingsHere(provider, "userInfoEndpoint")} to the provider's user API.`;
  if (!endpoint) {
    if (provider.settings.issuer)
      return [
        warn(
          check,
          "The provider names no userinfo endpoint: the email must come in the ID token.",
          "Nothing to change if ID tokens carry the email.",
        ),
      ];
    return [fail(check, "No user API is configured: a plain OAuth 2.0 provider has no other way to say who signed in.", fix)];
  }
  const probed = await probe(context.outbound, endpoint, { headers: { accept: "application/json" } });
  if (!probed.reached) return [unreached(check, `The userinfo endpoint ${endpoint} could not be reached`, probed, fix)];
  context.answers.push(probed.answer);
  const { status } = probed.answer;
  if (status === 401 || status === 400 || status === 403)
    return [pass(check, `The userinfo endpoint ${endpoint} is reachable (it answered ${status} to a request without a token).`)];
  if (status === 404 || status === 405 || status >= 500)
    return [fail(check, `The userinfo endpoint ${endpoint} answered ${status}: sign-ins that need it will fail.`, fix)];
  return [
    warn(
      check,
      `The userinfo endpoint ${endpoint} answered ${status} to a request without a token (401 was expected).`,
      worded`Check that ${endpoint} is the provider's userinfo endpoint: at the provider, or ${settingsHere(provider, "userInfoEndpoint")}.`,
    ),
  ];
}
