import { type Result, success } from "../domain/failures.ts";
import type { AuditTrail } from "../domain/ports/repositories.ts";
import type { ConfiguredProvider } from "../domain/provider-settings.ts";
import type { Discovery, ProviderConnection } from "../oauth/discovery.ts";
import { type ProviderTokens, redeemCode, type RedeemRequest } from "../oauth/token.ts";

/** The audit event of a redemption that worked only with the provider's next client secret. */
export const NEXT_SECRET_USED_EVENT = "provider.next_secret_used";

/** Who the redemption is for, for the audit record of a fallback to the next secret. */
export interface RedemptionContext {
  readonly orgId: string;
  readonly email: string;
  readonly ip: string | null;
}

export interface RotationDeps {
  readonly discovery: Pick<Discovery, "connect">;
  readonly audit: Pick<AuditTrail, "record">;
}

/**
 * The provider as it is with its next secret made current: one per cached provider object, so
 * the discovery's connection cache (keyed by that object) serves every fallback of a rotation.
 */
const withNextSecret = new WeakMap<ConfiguredProvider, ConfiguredProvider>();

function nextSecretProvider(provider: ConfiguredProvider, next: string): ConfiguredProvider {
  let switched = withNextSecret.get(provider);
  if (!switched) {
    switched = { ...provider, clientSecret: next };
    withNextSecret.set(provider, switched);
  }
  return switched;
}

/**
 * Redeems the code with the current client secret; when the provider refuses the client
 * (`invalid_client`: it has switched to the next secret of a rotation) and a next secret is
 * stored, once more with that one, and records that it worked. A provider authenticates the
 * client before it looks at the code, so the refused attempt has not used the code up.
 * Answers the tokens and the connection that got them.
 */
export async function redeemWithRotation(
  deps: RotationDeps,
  connection: ProviderConnection,
  request: RedeemRequest,
  context: RedemptionContext,
): Promise<Result<{ tokens: ProviderTokens; connection: ProviderConnection }>> {
  const redeemed = await redeemCode(connection, request);
  if (redeemed.ok) return success({ tokens: redeemed.value, connection });
  const { provider } = connection;
  const next = provider.nextClientSecret;
  if (next === undefined || redeemed.error !== "INVALID_GRANT" || redeemed.extra?.providerError !== "invalid_client") return redeemed;
  const nextConnection = await deps.discovery.connect(nextSecretProvider(provider, next));
  if (!nextConnection.ok) return redeemed;
  const retried = await redeemCode(nextConnection.value, request);
  if (!retried.ok) return retried;
  await deps.audit.record({
    orgId: context.orgId,
    userId: null,
    email: context.email,
    provider: provider.settings.providerName,
    event: NEXT_SECRET_USED_EVENT,
    outcome: "success",
    error: null,
    ip: context.ip,
  });
  return success({ tokens: retried.value, connection: nextConnection.value });
}
