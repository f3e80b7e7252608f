import type { FastifyPluginAsync } from "fastify";
import { type Static, Type } from "typebox";
import { type SamlTestSignInDeps, startSamlTestSignIn } from "../../signin/saml-test-sign-in.ts";
import { completeTestSignIn, startTestSignIn, type TestSignInDeps } from "../../signin/test-sign-in.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";
import { organisationScopeOf } from "./admin-token.ts";
import { failureFor, testSignInFor } from "./answers-without-cause.ts";
import { testSignInAsRead } from "./fixes-as-read.ts";
import { ADMIN_SECURITY as security, ProviderParams } from "./schemas.ts";

const StartBody = Type.Object(
  {
    redirectUri: Type.Optional(Type.String({ maxLength: 2048, description: "One of the provider's redirect URIs (default: the first)" })),
    email: Type.Optional(
      Type.String({
        minLength: 3,
        maxLength: 320,
        description: "The account to test with: sent to the provider as login_hint, which fills its sign-in form",
      }),
    ),
  },
  { additionalProperties: false },
);
const CompleteBody = Type.Object(
  { state: Type.String({ minLength: 1, maxLength: 256 }), code: Type.String({ minLength: 1, maxLength: 4096 }) },
  { additionalProperties: false },
);
const Claims = Type.Record(Type.String(), Type.Unknown());

const TestSignInResultSchema = Type.Object(
  {
    orgId: Type.String(),
    provider: Type.String(),
    claims: Type.Union([Claims, Type.Null()], { description: "The verified ID token's claims; null from a plain OAuth 2.0 provider" }),
    userinfo: Type.Union([Claims, Type.Null()], { description: "What the userinfo endpoint answered, when there is one" }),
    decision: Type.Object({
      outcome: Type.Union([Type.Literal("would-sign-in"), Type.Literal("would-create"), Type.Literal("refused")]),
      userId: Type.Optional(Type.String({ description: "The user a real sign-in would be" })),
      reason: Type.Optional(Type.String({ description: "Why a real sign-in would be refused: the AuthError id it would answer" })),
      fix: Type.Optional(Type.String({ description: "What to change, and where" })),
    }),
  },
  { $id: "TestSignInResult" },
);

/**
 * Test sign-ins: an administrator signs in at a provider and sees the claims and what a real
 * sign-in would decide, with nothing created (`signin/test-sign-in.ts`).
 */
export function testSignInRoutes(deps: TestSignInDeps & SamlTestSignInDeps): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Params: Static<typeof ProviderParams>; Body: Static<typeof StartBody> }>(
      "/api/v1/orgs/:orgId/saml-providers/:name/test-signin",
      {
        schema: {
          tags: ["Admin"],
          security,
          summary: "Start a test sign-in at a SAML provider (ForceAuthn): where to send the browser, and the state to complete it with",
          description:
            "The IdP posts to the ACS as in a real sign-in, which validates the response and decides, creating nothing, then sends the browser to the redirect URI with a code and the state; complete it at /api/v1/test-signins/complete: `claims` are the assertion's issuer, NameID and attributes.",
          params: ProviderParams,
          body: StartBody,
          response: {
            200: Type.Object({ authorizationUrl: Type.String(), state: Type.String(), redirectUri: Type.String() }),
            ...errorResponses(400, 404),
          },
        },
      },
      async (request, reply) => {
        const started = await startSamlTestSignIn(deps, {
          orgId: request.params.orgId,
          provider: request.params.name,
          redirectUri: request.body?.redirectUri,
        });
        return started.ok ? started.value : sendFailure(reply, failureFor(request, started));
      },
    );

    app.post<{ Params: Static<typeof ProviderParams>; Body: Static<typeof StartBody> }>(
      "/api/v1/orgs/:orgId/oauth-providers/:name/test-signin",
      {
        schema: {
          tags: ["Admin"],
          security,
          summary: "Start a test sign-in at a provider: where to send the browser, and the state to complete it with",
          params: ProviderParams,
          body: StartBody,
          response: {
            200: Type.Object({ authorizationUrl: Type.String(), state: Type.String(), redirectUri: Type.String() }),
            ...errorResponses(400, 404, 502, 504),
          },
        },
      },
      async (request, reply) => {
        const started = await startTestSignIn(deps, {
          orgId: request.params.orgId,
          provider: request.params.name,
          redirectUri: request.body?.redirectUri,
          loginHint: request.body?.email,
        });
        return started.ok ? started.value : sendFailure(reply, failureFor(request, started));
      },
    );

    app.post<{ Body: Static<typeof CompleteBody> }>(
      "/api/v1/test-signins/complete",
      {
        schema: {
          tags: ["Admin"],
          security,
          summary: "Complete a test sign-in with the provider's code: the claims and what a real sign-in would decide; creates nothing",
          description:
            "A caller limited to one organisation (a setup link, an organisation admin) completes only test sign-ins started for it: another organisation's is 403 FORBIDDEN, and stays usable by whoever started it.",
          body: CompleteBody,
          response: { 200: TestSignInResultSchema, ...errorResponses(400, 404, 502, 504) },
        },
      },
      async (request, reply) => {
        const completed = await completeTestSignIn(deps, { ...request.body, orgId: organisationScopeOf(request) });
        return completed.ok
          ? testSignInAsRead(request, testSignInFor(request, completed.value))
          : sendFailure(reply, failureFor(request, completed));
      },
    );
  };
}
