import type { FastifyRequest } from "fastify";
import type { AdminCaller } from "../../admin/admin-actions.ts";
import { actorOf, organisationScopeOf } from "./admin-token.ts";

/** Who made a request of the admin scope, and from where: what its write's audit record names. */
export function adminCaller(request: FastifyRequest): AdminCaller {
  return { actor: actorOf(request), ip: request.ip, delegated: organisationScopeOf(request) !== undefined };
}
