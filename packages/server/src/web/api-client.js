// @ts-check
/* global URLSearchParams */
// The one way the pages call the service: a route of the API by its name in /openapi.json, JSON in
// and out, the caller's credentials as headers, and every refusal as one ApiError carrying the
// service's AuthError. The types come from the SDK's file generated from /openapi.json (a type-only
// import: the browser never loads it), so a wrong field of a body or an answer fails `npm run
// typecheck`.

/** @typedef {import("../../../sdk/src/generated/api.ts").paths} Paths */
/** @typedef {import("../../../sdk/src/generated/api.ts").components["schemas"]} Schemas */
/** @typedef {Schemas["AuthError"]} AuthError */
/** @typedef {AuthError["error"]} FailureId */
/** @typedef {keyof Paths} Route */
/** @typedef {"get" | "put" | "post" | "patch" | "delete"} Method */

/**
 * The methods a route answers.
 * @template {Route} R
 * @typedef {{ [M in Method]: Paths[R][M] extends undefined ? never : M }[Method]} MethodOf
 */

/**
 * One operation of the API: a route and a method it answers.
 * @template {Route} R
 * @template {Method} M
 * @typedef {NonNullable<Paths[R][M]>} Operation
 */

/**
 * What an operation answers when it succeeds: its JSON body, or undefined (204).
 * @template O
 * @typedef {O extends { responses: { 200: { content: { "application/json": infer B } } } }
 *   ? B
 *   : O extends { responses: { 201: { content: { "application/json": infer B } } } }
 *     ? B
 *     : undefined} AnswerOf
 */

/**
 * The JSON body an operation takes.
 * @template O
 * @typedef {O extends { requestBody?: { content: { "application/json": infer B } } } ? B : never} BodyOf
 */

/**
 * The values of a route's `{placeholders}`, and of its query.
 * @template O
 * @typedef {O extends { parameters: { path: infer P } } ? P : never} ParamsOf
 */
/**
 * @template O
 * @typedef {O extends { parameters: { query?: infer Q } } ? Q : never} QueryOf
 */

/**
 * What a route answers to a method when it succeeds, and the query it takes: for naming the
 * shapes a page works with, e.g. AnswerTo<"/api/v1/orgs/{orgId}", "get">.
 * @template {Route} R
 * @template {MethodOf<R>} M
 * @typedef {AnswerOf<Operation<R, M>>} AnswerTo
 */
/**
 * @template {Route} R
 * @template {MethodOf<R>} M
 * @typedef {QueryOf<Operation<R, M>>} QueryTo
 */

/**
 * How to call an operation, and as whom: the sign-in page sends its sign-in's session token (or
 * a user's bearer access token), the admin console its cookie with the console's header (a
 * cross-site form cannot send it), a setup link's holder their session as a bearer token.
 * @template O
 * @typedef {{
 *   params?: ParamsOf<O>;
 *   query?: QueryOf<O>;
 *   body?: BodyOf<O>;
 *   sessionToken?: string;
 *   bearer?: string;
 *   console?: boolean;
 * }} CallOptions
 */

/**
 * What a call answers: the body, and the headers (the sign-in's session token comes in one).
 * @template O
 * @typedef {{ data: AnswerOf<O>; headers: Headers }} Answer
 */

/** A call the service refused (its AuthError, when it sent one), or that could not reach it (status 0). */
export class ApiError extends Error {
  /**
   * @param {string} message words a person can act on
   * @param {number} status the HTTP status; 0 when the service could not be reached
   * @param {AuthError} [body] the service's AuthError, when the answer was one
   */
  constructor(message, status, body) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.body = body;
    /** @type {FailureId | undefined} the failure id a page can switch on */
    this.error = body?.error;
  }
}

/** @param {unknown} value @returns {value is AuthError} */
const isAuthError = (value) =>
  typeof value === "object" &&
  value !== null &&
  typeof Reflect.get(value, "error") === "string" &&
  typeof Reflect.get(value, "message") === "string";

/**
 * The route with its `{placeholders}` filled (each value encoded) and the query appended.
 * @param {string} route @param {Record<string, string> | undefined} params @param {Record<string, unknown> | undefined} query
 */
function urlOf(route, params, query) {
  const path = route.replace(/\{(\w+)\}/g, (_, name) => {
    const value = params?.[name];
    if (value === undefined) throw new Error(`No value for {${name}} of ${route}.`);
    return encodeURIComponent(value);
  });
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined) search.set(name, String(value));
  const queryText = search.toString();
  return queryText ? `${path}?${queryText}` : path;
}

/**
 * Calls one operation of the API. Answers its body and headers; throws an ApiError when the
 * service refuses (with its message and failure id), cannot be reached, or answers something else
 * than JSON.
 * @template {Route} R
 * @template {MethodOf<R>} M
 * @param {M} method
 * @param {R} route the route as /openapi.json names it, e.g. "/api/v1/orgs/{orgId}"
 * @param {CallOptions<Operation<R, M>>} [options]
 * @returns {Promise<Answer<Operation<R, M>>>}
 */
export async function callApi(method, route, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: "application/json" };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.sessionToken) headers["x-session-token"] = options.sessionToken;
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  if (options.console) headers["x-pipeshub-console"] = "1";
  const url = urlOf(route, /** @type {Record<string, string> | undefined} */ (options.params), options.query);
  let response;
  try {
    response = await fetch(url, {
      method: method.toUpperCase(),
      headers,
      credentials: "same-origin",
      cache: "no-store",
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    });
  } catch {
    throw new ApiError("The service could not be reached. Check your connection and try again.", 0);
  }
  const text = await response.text();
  let data;
  let json = true;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    json = false;
  }
  if (!response.ok) {
    const body = isAuthError(data) ? data : undefined;
    const message = body?.message.trim() ? body.message : `The service answered with status ${response.status}. Try again.`;
    throw new ApiError(message, response.status, body);
  }
  if (!json) throw new ApiError(`The service answered with status ${response.status}, but not in JSON. Try again.`, response.status);
  return { data, headers: response.headers };
}
