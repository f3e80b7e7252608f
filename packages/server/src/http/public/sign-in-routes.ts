import type { FastifyPluginAsync } from "fastify";
import { type Static, Type } from "typebox";
import { failure } from "../../domain/failures.ts";
import { authenticate, type AuthenticateDeps } from "../../signin/authenticate.ts";
import { AUTHORIZATION_PROMPTS, type AuthorizationDeps } from "../../signin/authorization-requests.ts";
import { startAnyAuthorization } from "../../signin/provider-kinds.ts";
import type { SamlAuthorizationDeps } from "../../signin/saml-authorize.ts";
import { initAuth, type InitAuthDeps } from "../../signin/init-auth.ts";
import { AuthMethodSchema } from "../auth-method-schema.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";

/** What the sign-in routes call. */
export type SignInDeps = InitAuthDeps & AuthorizationDeps & SamlAuthorizationDeps & AuthenticateDeps;

const PublicProviderSchema = Type.Object({
  providerName: Type.String(),
  type: Type.Optional(
    Type.Union([Type.Literal("oidc"), Type.Literal("oauth2"), Type.Literal("saml")], {
      description:
        "The provider's kind (addition). A SAML provider's clientId is its SP entity ID, authorizationUrl the IdP's SSO URL, tokenEndpoint the ACS URL; start it at /userAccount/oauth/authorize like the others",
    }),
  ),
  clientId: Type.String(),
  authorizationUrl: Type.String(),
  tokenEndpoint: Type.String(),
  userInfoEndpoint: Type.Optional(Type.String()),
  scope: Type.Optional(Type.String()),
  enableJit: Type.Optional(Type.Boolean()),
});
const AuthProvidersSchema = Type.Object({
  oauth: Type.Optional(PublicProviderSchema),
  /** The first SAML provider (PipesHub's key), when one is set up. */
  saml: Type.Optional(PublicProviderSchema),
});
const UnavailableProviderSchema = Type.Object({
  providerName: Type.String(),
  error: Type.String({
    description: "PROVIDER_UNAVAILABLE (could not connect, whatever the cause: refused, no TLS, no answer in time) or PROVIDER_ERROR",
  }),
  message: Type.String(),
});
const InitAuthAnswer = Type.Object({
  currentStep: Type.Integer(),
  allowedMethods: Type.Array(Type.String()),
  message: Type.String(),
  authProviders: AuthProvidersSchema,
  oauthProviders: Type.Array(PublicProviderSchema),
  jitEnabled: Type.Boolean(),
  orgName: Type.Optional(Type.String({ description: "The name of the organisation the email signs in to, once known (addition)" })),
  unavailableProviders: Type.Optional(
    Type.Array(UnavailableProviderSchema, {
      description:
        "Providers set up for the organisation but left out of oauthProviders because they cannot be reached right now (addition; absent when there are none)",
    }),
  ),
});

const InitAuthBody = Type.Object(
  { email: Type.Optional(Type.String({ format: "email", maxLength: 320 })) },
  { additionalProperties: false },
);
const AuthorizeQuery = Type.Object(
  {
    provider: Type.String({ minLength: 1, maxLength: 64 }),
    email: Type.String({ format: "email", maxLength: 320 }),
    redirectUri: Type.String({ format: "uri", maxLength: 2048 }),
    prompt: Type.Optional(
      Type.Enum(AUTHORIZATION_PROMPTS, {
        description:
          "Passed on to the provider as `prompt` (addition): `login` or `select_account` lets the user sign in with another account than the one the provider remembers",
      }),
    ),
  },
  { additionalProperties: false },
);
const AuthenticateBody = Type.Object(
  {
    method: AuthMethodSchema,
    credentials: Type.Union([Type.Object({}, { additionalProperties: true }), Type.String({ maxLength: 16_384 })]),
    email: Type.Optional(Type.String({ format: "email", maxLength: 320 })),
    provider: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: "Which of the organisation's providers issued the tokens (addition)" }),
    ),
    "cf-turnstile-response": Type.Optional(Type.String({ maxLength: 4096 })),
  },
  { additionalProperties: false },
);
const SessionHeader = Type.Object({ "x-session-token": Type.Optional(Type.String({ maxLength: 256 })) });

export function signInRoutes(deps: SignInDeps): FastifyPluginAsync {
  return async (app) => {
    const tags = ["User Account"];

    app.post<{ Body: Static<typeof InitAuthBody> | undefined }>(
      "/userAccount/initAuth",
      {
        // The contract allows no body at all: treat it as {}.
        preValidation: async (request) => {
          request.body ??= {};
        },
        schema: {
          tags,
          operationId: "initAuth",
          summary: "Initialize authentication session",
          body: InitAuthBody,
          response: { 200: InitAuthAnswer, ...errorResponses(400, 404, 500) },
        },
      },
      async (request, reply) => {
        const result = await initAuth(deps, request.body?.email || undefined);
        if (!result.ok) return sendFailure(reply, result);
        reply.header("x-session-token", result.value.sessionToken).header("cache-control", "no-store");
        const { unavailableProviders, ...response } = result.value.response;
        if (!unavailableProviders) return response;
        // The cause goes to the log, for the operator; the client learns which and what, not why.
        for (const { providerName, error, detail } of unavailableProviders) {
          request.log.warn(
            { provider: providerName, error, cause: detail ?? "unknown" },
            `sign-in provider "${providerName}" cannot be used: its endpoints could not be learnt`,
          );
        }
        return {
          ...response,
          unavailableProviders: unavailableProviders.map(({ providerName, error, message }) => ({ providerName, error, message })),
        };
      },
    );

    app.get<{ Querystring: Static<typeof AuthorizeQuery>; Headers: Static<typeof SessionHeader> }>(
      "/userAccount/oauth/authorize",
      {
        schema: {
          tags: ["OAuth"],
          operationId: "oauthAuthorizationUrl",
          summary: "Start an authorization request with state, PKCE (S256) and nonce",
          description:
            "Answers the provider's authorization URL, which carries `login_hint` (the email) and `prompt` when given. `Accept: text/html` gets a 302 to it instead. Pass the returned `state` to /userAccount/oauth/exchange. For a SAML provider the URL is the IdP's SSO URL with a deflated `SAMLRequest` and a `RelayState` (HTTP-Redirect binding); `prompt=login` asks for ForceAuthn.",
          querystring: AuthorizeQuery,
          headers: SessionHeader,
          response: {
            200: Type.Object({ authorizationUrl: Type.String(), state: Type.String() }),
            302: Type.Null(),
            ...errorResponses(400, 404, 502, 504),
          },
        },
      },
      async (request, reply) => {
        const result = await startAnyAuthorization(deps, { ...request.query, sessionToken: request.headers["x-session-token"] });
        if (!result.ok) return sendFailure(reply, result);
        reply.header("cache-control", "no-store");
        const wantsHtml = (request.headers.accept ?? "").split(",")[0]?.trim().startsWith("text/html");
        return wantsHtml ? reply.redirect(result.value.authorizationUrl, 302) : result.value;
      },
    );

    app.post<{ Body: Static<typeof AuthenticateBody>; Headers: Static<typeof SessionHeader> }>(
      "/userAccount/authenticate",
      {
        schema: {
          tags,
          operationId: "authenticate",
          summary: "Authenticate user with credentials",
          headers: SessionHeader,
          body: AuthenticateBody,
          response: {
            200: Type.Union([
              Type.Object({ message: Type.String(), accessToken: Type.String(), refreshToken: Type.String() }),
              Type.Object({
                status: Type.Literal("success"),
                nextStep: Type.Integer(),
                allowedMethods: Type.Array(Type.String()),
                authProviders: AuthProvidersSchema,
                oauthProviders: Type.Array(PublicProviderSchema),
              }),
            ]),
            ...errorResponses(400, 401, 403, 404, 502, 504),
          },
        },
      },
      async (request, reply) => {
        const sessionToken = request.headers["x-session-token"];
        if (!sessionToken)
          return sendFailure(reply, failure("SESSION_EXPIRED", "Send the x-session-token header you got from /userAccount/initAuth."));
        const { "cf-turnstile-response": _captcha, ...body } = request.body;
        const result = await authenticate(deps, { ...body, sessionToken, ip: request.ip });
        if (!result.ok) return sendFailure(reply, result);
        reply.header("cache-control", "no-store");
        return result.value.body;
      },
    );
  };
}
