import { randomUUID } from "node:crypto";
import { isUtf8 } from "node:buffer";
import type { IncomingMessage } from "node:http";
import type { FastifyInstance } from "fastify";
import { failure, FailureError } from "../domain/failures.ts";
import { sendFailure } from "./error-handling.ts";

/*
 * Bytes that are not UTF-8 (0xFF, overlong forms such as C0 AF, encoded surrogates such as
 * ED A0 80) are refused wherever a request carries text, instead of being stored as U+FFFD or
 * passed on as a literal "%ff": 400 VALIDATION_ERROR naming the field. Raw bytes of 0x80 and
 * above in the request line never get here: Node's HTTP parser refuses them (MALFORMED_REQUEST).
 */

/** The bytes a URL component stands for: each `%XX` one byte, every other character its UTF-8. */
function percentDecodedBytes(component: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < component.length; i++) {
    const hex = component[i] === "%" ? component.slice(i + 1, i + 3) : "";
    if (/^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(component[i]!, "utf8"));
  }
  return Buffer.from(bytes);
}

const isUtf8Component = (component: string) => !component.includes("%") || isUtf8(percentDecodedBytes(component));

/** The field of a raw query string (`a=1&b=%ff`) whose name or value is not UTF-8 once decoded. */
export function invalidUtf8QueryField(query: string): string | undefined {
  for (const pair of query.split("&")) {
    const [name = "", value = ""] = pair.replaceAll("+", " ").split(/=(.*)/s);
    if (!isUtf8Component(name)) return "querystring";
    if (!isUtf8Component(value)) return `querystring.${percentDecodedBytes(name).toString("utf8")}`;
  }
  return undefined;
}

/** Where in a JSON value (decoded with U+FFFD for what was not UTF-8) the first replacement sits. */
function replacementAt(value: unknown, path: string): string | undefined {
  if (typeof value === "string") return value.includes("\uFFFD") ? path : undefined;
  if (value === null || typeof value !== "object") return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = replacementAt(key, `${path} key`) ?? replacementAt(item, `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}

/**
 * The field of a JSON body that is not UTF-8: the first string holding a replacement character
 * once decoded leniently (a body that also sends U+FFFD itself may see the wrong one named), or
 * `body` when the lenient text is not JSON either. Only for naming: the body is refused anyway.
 */
function invalidUtf8BodyField(body: Buffer): string {
  try {
    return replacementAt(JSON.parse(body.toString("utf8")), "body") ?? "body";
  } catch {
    return "body";
  }
}

const notUtf8 = (field: string) => failure("VALIDATION_ERROR", `${field} is not valid UTF-8.`);

/** The refusal of a JSON body that is not UTF-8, naming its field; undefined when it is UTF-8. */
export function invalidUtf8Body(body: Buffer): FailureError | undefined {
  return isUtf8(body) ? undefined : new FailureError(notUtf8(invalidUtf8BodyField(body)));
}

/**
 * Fastify's router answers a path that does not decode with a bare "bad URL", before any route
 * (and so any parameter name) is known. So Fastify's `rewriteUrl` swaps each such segment for a
 * marker before routing; the hook below then names the parameter holding it.
 */
const MARKER = `invalid-utf-8-${randomUUID()}`;
const markedRequests = new WeakSet<IncomingMessage>();

/** Fastify's `rewriteUrl`: path segments that are not UTF-8 become the marker. */
export function markInvalidUtf8Path(request: IncomingMessage): string {
  const url = request.url ?? "/";
  const queryAt = url.indexOf("?");
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  if (!path.includes("%")) return url;
  const segments = path.split("/");
  if (segments.every(isUtf8Component)) return url;
  markedRequests.add(request);
  return segments.map((s) => (isUtf8Component(s) ? s : MARKER)).join("/") + (queryAt === -1 ? "" : url.slice(queryAt));
}

/**
 * Refuses, before anything else runs, a request whose path parameters or query string are not
 * UTF-8; JSON bodies are checked before Fastify's own parser (which refuses `__proto__` and
 * `constructor.prototype`) reads them.
 */
export function refuseInvalidUtf8(app: FastifyInstance): void {
  // A callback hook (no promise per request); one that answers does not call `done`.
  app.addHook("onRequest", (request, reply, done) => {
    if (markedRequests.has(request.raw)) {
      const params = Object.entries((request.params ?? {}) as Record<string, string>);
      const name = params.find(([, value]) => value.includes(MARKER))?.[0];
      sendFailure(reply, notUtf8(name ? `params.${name}` : "params"));
      return;
    }
    const queryAt = request.url.indexOf("?");
    const field = queryAt === -1 ? undefined : invalidUtf8QueryField(request.url.slice(queryAt + 1));
    if (field) {
      sendFailure(reply, notUtf8(field));
      return;
    }
    done();
  });
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, body, done) => {
    const refused = invalidUtf8Body(body as Buffer);
    if (refused) return done(refused, undefined);
    parseJson(request, (body as Buffer).toString("utf8"), done);
  });
}
