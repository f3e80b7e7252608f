import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { failure } from "../../domain/failures.ts";
import { sendFailure } from "../error-handling.ts";

/** An onRequest hook requiring `Authorization: Bearer <admin token>`, compared in constant time. */
export function requireAdminToken(adminToken: string) {
  const expected = createHash("sha256").update(adminToken).digest();
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const given = createHash("sha256")
      .update(match?.[1] ?? "")
      .digest();
    if (!match || !timingSafeEqual(given, expected)) {
      reply.header("www-authenticate", 'Bearer realm="admin"');
      return sendFailure(reply, failure("UNAUTHORIZED", "Admin API: send Authorization: Bearer <admin token>."));
    }
  };
}
