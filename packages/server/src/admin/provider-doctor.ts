import { failure, type Result, success } from "../domain/failures.ts";
import type { ProviderRepository } from "../domain/ports/repositories.ts";
import type { Discovery } from "../oauth/discovery.ts";
import type { OutboundFetch } from "../oauth/outbound.ts";
import { checkClientCredentials, checkUserinfo } from "./doctor-endpoints.ts";
import { checkJwks } from "./doctor-keys.ts";
import { readProviderMetadata } from "./doctor-metadata.ts";
import { checkClock, checkEmailScope, checkPkce } from "./doctor-settings.ts";
import type { DoctorContext, DoctorFinding } from "./doctor-types.ts";

export type { DoctorFinding, FindingStatus } from "./doctor-types.ts";

/** What the doctor needs: the stored provider, discovery (for client authentication) and the outbound guard. */
export interface ProviderDoctorDeps {
  readonly providers: Pick<ProviderRepository, "configured">;
  readonly discovery: Pick<Discovery, "connect">;
  readonly outbound: OutboundFetch;
  /** The clock skew ID-token validation tolerates (default 30 s, as the verifier's). */
  readonly clockToleranceSeconds?: number;
}

/** The ID-token verifier's default tolerance (oauth/id-token.ts). */
const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;

/**
 * Examines a provider the way a sign-in would meet it, fresh (no cached discovery or keys), and
 * says for each check what passed, what will break sign-in (`fail`) or may (`warn`), and what to
 * change where. A check that cannot apply (no discovery for a plain OAuth 2.0 provider, no keys
 * without an issuer) is left out; checks that need the discovery document are left out when it
 * could not be read, its own finding saying why.
 */
export async function doctorProvider(
  deps: ProviderDoctorDeps,
  orgId: string,
  name: string,
): Promise<Result<{ findings: DoctorFinding[] }>> {
  const provider = await deps.providers.configured(orgId, name);
  if (!provider) return failure("NOT_FOUND", `No provider "${name}" in this organisation.`);
  const findings: DoctorFinding[] = [];
  const read = await readProviderMetadata(deps.outbound, provider);
  findings.push(...read.findings);
  const context: DoctorContext = {
    provider,
    metadata: read.metadata,
    outbound: deps.outbound,
    discovery: deps.discovery,
    clockToleranceSeconds: deps.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
    answers: [...read.answers],
  };
  if (context.metadata) {
    // Independent requests to the provider: made together.
    const [keys, credentials, userinfo] = await Promise.all([checkJwks(context), checkClientCredentials(context), checkUserinfo(context)]);
    findings.push(...keys, ...checkPkce(context), ...credentials, ...checkEmailScope(context), ...userinfo);
  }
  findings.push(...checkClock(context));
  return success({ findings });
}
