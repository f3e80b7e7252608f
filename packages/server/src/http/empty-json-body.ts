import type { FastifyInstance } from "fastify";
import { invalidUtf8Body } from "./utf8-hygiene.ts";

/**
 * For routes that take no body: accepts an empty body even when it is labelled JSON (clients
 * and SDKs often send `content-type: application/json` on every POST), in this plugin scope only.
 */
export function acceptEmptyJsonBody(app: FastifyInstance): void {
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "buffer", bodyLimit: 1024 }, (_request, body, done) => {
    const refused = invalidUtf8Body(body as Buffer);
    if (refused) return done(refused, undefined);
    const text = (body as Buffer).toString("utf8").trim();
    if (text === "") return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(Object.assign(new Error("invalid JSON body"), { code: "FST_ERR_CTP_INVALID_JSON_BODY", statusCode: 400 }), undefined);
    }
  });
}
