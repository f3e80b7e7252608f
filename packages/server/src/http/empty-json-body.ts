import type { FastifyInstance } from "fastify";

/**
 * For routes that take no body: accepts an empty body even when it is labelled JSON (clients
 * and SDKs often send `content-type: application/json` on every POST), in this plugin scope only.
 */
export function acceptEmptyJsonBody(app: FastifyInstance): void {
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string", bodyLimit: 1024 }, (_request, body, done) => {
    const text = String(body).trim();
    if (text === "") return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(Object.assign(new Error("invalid JSON body"), { code: "FST_ERR_CTP_INVALID_JSON_BODY", statusCode: 400 }), undefined);
    }
  });
}
