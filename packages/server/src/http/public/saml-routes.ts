import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { type Static, Type } from "typebox";
import { FAILURE_STATUS, type Failure } from "../../domain/failures.ts";
import { fixFor } from "../../domain/failure-fixes.ts";
import { type AcsDeps, receiveSamlResponse } from "../../signin/saml-acs.ts";
import { type SamlAuthorizationDeps, startSamlAuthorization } from "../../signin/saml-authorize.ts";
import { errorResponses, sendFailure } from "../error-handling.ts";

/** What the SAML routes call. */
export type SamlRouteDeps = AcsDeps & SamlAuthorizationDeps;

/**
 * A posted SAMLResponse's cap, URL-encoded: the protocol refuses more than 256 KiB of base64
 * (SAML_TOO_LARGE) and form encoding at most triples it. Only this route reads such a body.
 */
const ACS_BODY_LIMIT = 800 * 1024;

const AcsParams = Type.Object({
  orgId: Type.String({ minLength: 1, maxLength: 64 }),
  name: Type.String({ minLength: 1, maxLength: 64 }),
});
const AcsBody = Type.Object(
  {
    SAMLResponse: Type.Optional(Type.String({ maxLength: ACS_BODY_LIMIT, description: "The IdP's response, base64" })),
    // SAML Bindings §3.4.3: at most 80 bytes; ours are 43.
    RelayState: Type.Optional(Type.String({ maxLength: 256, description: "The RelayState of the service's AuthnRequest" })),
  },
  { additionalProperties: true },
);
const SignInQuery = Type.Object(
  {
    email: Type.String({ format: "email", maxLength: 320 }),
    provider: Type.String({ minLength: 1, maxLength: 64 }),
    redirectUri: Type.String({ format: "uri", maxLength: 2048 }),
    sessionToken: Type.Optional(Type.String({ maxLength: 256, description: "The x-session-token of initAuth, if any" })),
  },
  { additionalProperties: false },
);

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** The page a browser gets when a refused response names no sign-in of ours to send it back to. */
function refusalPage(refused: Failure): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign-in refused</title></head>
<body><main><h1>Sign-in refused</h1>
<p>${escapeHtml(refused.message)}</p>
<p>Failure: <code>${escapeHtml(refused.error)}</code>. ${escapeHtml(fixFor(refused.error) ?? "")}</p>
<p>Go back to the application and sign in again.</p></main></body></html>
`;
}

const wantsHtml = (request: FastifyRequest) => (request.headers.accept ?? "").includes("text/html");

function sendRefusal(request: FastifyRequest, reply: FastifyReply, refused: Failure): FastifyReply {
  if (!wantsHtml(request)) return sendFailure(reply, refused);
  if (refused.detail) reply.log.info({ error: refused.error, detail: refused.detail }, "request failed");
  return reply
    .code(FAILURE_STATUS[refused.error])
    .header("cache-control", "no-store")
    .type("text/html; charset=utf-8")
    .send(refusalPage(refused));
}

/**
 * The SAML sign-in's HTTP: the Assertion Consumer Service (the one route that reads
 * `application/x-www-form-urlencoded`, in a scope of its own) and `/saml/signIn`, the browser
 * entry the contract's `samlSso` note points at.
 */
export function samlRoutes(deps: SamlRouteDeps): FastifyPluginAsync {
  return async (base) => {
    await base.register(async (app) => {
      app.addContentTypeParser(
        "application/x-www-form-urlencoded",
        { parseAs: "string", bodyLimit: ACS_BODY_LIMIT },
        (_request, body, done) => {
          const fields: Record<string, string> = {};
          // The first of each field: a second SAMLResponse or RelayState is not read.
          for (const [name, value] of new URLSearchParams(body as string)) if (!Object.hasOwn(fields, name)) fields[name] = value;
          done(null, fields);
        },
      );
      app.post<{ Params: Static<typeof AcsParams>; Body: Static<typeof AcsBody> }>(
        "/api/v1/saml/:orgId/:name/acs",
        {
          bodyLimit: ACS_BODY_LIMIT,
          schema: {
            tags: ["SAML"],
            operationId: "samlAssertionConsumerService",
            summary: "The Assertion Consumer Service: where the IdP posts its SAMLResponse (HTTP-POST binding)",
            description:
              "Validates the response against the AuthnRequest its RelayState names, then answers 303 to the application's `redirectUri?code=…&state=…`; a refusal 303s to `redirectUri?error=access_denied&error_description=…&error_id=…&state=…`, or, with no sign-in of ours to return to, answers a page naming the failure (AuthError JSON unless the client accepts text/html).",
            consumes: ["application/x-www-form-urlencoded"],
            params: AcsParams,
            body: AcsBody,
            response: { 303: Type.Null(), ...errorResponses(400, 401, 403, 404, 413, 415) },
          },
        },
        async (request, reply) => {
          const answer = await receiveSamlResponse(deps, {
            orgId: request.params.orgId,
            provider: request.params.name,
            samlResponse: request.body.SAMLResponse,
            relayState: request.body.RelayState,
            ip: request.ip,
          });
          reply.header("cache-control", "no-store");
          if (answer.kind === "page") return sendRefusal(request, reply, answer.failure);
          return reply.redirect(answer.location, 303);
        },
      );
    });

    for (const path of ["/saml/signIn", "/api/v1/saml/signIn"]) {
      base.get<{ Querystring: Static<typeof SignInQuery> }>(
        path,
        {
          schema: {
            hide: path !== "/saml/signIn",
            tags: ["SAML"],
            operationId: "samlSignIn",
            summary: "Start a SAML sign-in from the browser: a 302 to the IdP",
            description:
              "The browser entry of the contract's `samlSso` method (also under /api/v1). Like /userAccount/oauth/authorize for a SAML provider, but answers a 302 to the IdP; the ACS then sends the browser to `redirectUri?code=…&state=…`, and the application exchanges them at /userAccount/oauth/exchange (PipesHub ends in a cookie instead).",
            querystring: SignInQuery,
            response: { 302: Type.Null(), ...errorResponses(400, 404) },
          },
        },
        async (request, reply) => {
          const { sessionToken, ...query } = request.query;
          const started = await startSamlAuthorization(deps, { ...query, sessionToken });
          if (!started.ok) return sendFailure(reply, started);
          reply.header("cache-control", "no-store");
          return reply.redirect(started.value.authorizationUrl, 302);
        },
      );
    }
  };
}
