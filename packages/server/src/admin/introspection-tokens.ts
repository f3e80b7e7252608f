import { failure, type Result, success } from "../domain/failures.ts";
import { newOpaqueToken, tokenHash } from "../domain/ids.ts";
import type { IntrospectionToken, IntrospectionTokenRepository } from "../domain/introspection.ts";
import { type AdminActionDeps, type AdminCaller, changesBetween, recordAdminAction } from "./admin-actions.ts";

/** The ports introspection-token administration needs (the operator's alone; recorded outside any organisation). */
export interface IntrospectionTokenDeps extends AdminActionDeps {
  readonly introspectionTokens: IntrospectionTokenRepository;
}

/** Introspection tokens start so, which tells them from other bearer values before any lookup. */
const PREFIX = "introspect.";

/** Makes a token a resource server introspects with; shown once, only its hash kept. Recorded as `introspection_token.created`. */
export async function createIntrospectionToken(
  deps: IntrospectionTokenDeps,
  name: string | null,
  caller: AdminCaller,
): Promise<Result<IntrospectionToken & { token: string }>> {
  const token = `${PREFIX}${newOpaqueToken()}`;
  const created = await deps.introspectionTokens.create(name, tokenHash(token));
  await recordAdminAction(deps, caller, {
    event: "introspection_token.created",
    orgId: null,
    changes: changesBetween(undefined, { id: created.id, name }),
  });
  return success({ ...created, token });
}

export async function listIntrospectionTokens(deps: IntrospectionTokenDeps): Promise<Result<IntrospectionToken[]>> {
  return success(await deps.introspectionTokens.list());
}

/** Revokes an introspection token: its next request is refused. Recorded as `introspection_token.revoked`. */
export async function revokeIntrospectionToken(deps: IntrospectionTokenDeps, id: string, caller: AdminCaller): Promise<Result<void>> {
  if (!(await deps.introspectionTokens.revoke(id))) return failure("NOT_FOUND", "No such introspection token (or it is already revoked).");
  await recordAdminAction(deps, caller, { event: "introspection_token.revoked", orgId: null, changes: changesBetween({ id }, undefined) });
  return success(undefined);
}

/** Whether a bearer value is an unrevoked introspection token. */
export async function isIntrospectionToken(deps: Pick<IntrospectionTokenDeps, "introspectionTokens">, token: string): Promise<boolean> {
  return token.startsWith(PREFIX) && (await deps.introspectionTokens.active(tokenHash(token))) !== undefined;
}
