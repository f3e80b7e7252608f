import { failure, type Result, success } from "../domain/failures.ts";
import { isoNow, newOpaqueToken, tokenHash } from "../domain/ids.ts";
import type { SetupLinkRepository } from "../domain/ports/repositories.ts";
import { type SetupLink, setupSessionActive } from "../domain/setup-link.ts";
import { type AdminActionDeps, type AdminCaller, changesBetween, recordAdminAction } from "./admin-actions.ts";
import { type OrganisationAdministration, requireOrganisation } from "./organisations.ts";

/** The ports setup links need; making and revoking one is recorded in the organisation's audit trail. */
export interface SetupLinkDeps extends OrganisationAdministration, AdminActionDeps {
  readonly setupLinks: SetupLinkRepository;
}

/** How long a setup link may live: an hour to a month. */
export const SETUP_LINK_HOURS = { min: 1, max: 720, default: 72 } as const;

/**
 * Makes a one-time setup link for an organisation. The link's token is shown once, here, and
 * only its hash is kept; the URL carries it in the fragment, which browsers never send to a server.
 * Recorded as `setup_link.created` with the link's id and end (never its token).
 */
export async function createSetupLink(
  deps: SetupLinkDeps,
  orgId: string,
  expiresInHours: number,
  publicUrl: string,
  caller: AdminCaller,
): Promise<Result<SetupLink & { url: string; token: string }>> {
  const org = await requireOrganisation(deps, orgId);
  if (!org.ok) return org;
  const token = newOpaqueToken();
  const expiresAt = new Date(Date.now() + expiresInHours * 3600_000).toISOString();
  const link = await deps.setupLinks.create(org.value.id, tokenHash(token), expiresAt);
  const changes = changesBetween(undefined, { id: link.id, expiresAt: link.expiresAt });
  await recordAdminAction(deps, caller, { event: "setup_link.created", orgId: link.orgId, changes });
  return success({ ...link, token, url: `${publicUrl}/admin/setup#${token}` });
}

export async function listSetupLinks(deps: SetupLinkDeps, orgId: string): Promise<Result<SetupLink[]>> {
  const org = await requireOrganisation(deps, orgId);
  return org.ok ? success(await deps.setupLinks.list(org.value.id)) : org;
}

/** Revokes a setup link (its session ends at once); recorded as `setup_link.revoked`, the link's id going to none. */
export async function revokeSetupLink(deps: SetupLinkDeps, orgId: string, id: string, caller: AdminCaller): Promise<Result<void>> {
  const org = await requireOrganisation(deps, orgId);
  if (!org.ok) return org;
  if (!(await deps.setupLinks.revoke(org.value.id, id))) return failure("NOT_FOUND", "No such setup link.");
  await recordAdminAction(deps, caller, { event: "setup_link.revoked", orgId: org.value.id, changes: changesBetween({ id }, undefined) });
  return success(undefined);
}

/** Redeems a setup link, once, for a setup session: its bearer token, organisation and end. */
export async function redeemSetupLink(
  deps: Pick<SetupLinkDeps, "setupLinks">,
  token: string,
): Promise<Result<{ sessionToken: string; orgId: string; expiresAt: string }>> {
  const sessionToken = `setup.${newOpaqueToken()}`;
  const link = await deps.setupLinks.redeem(tokenHash(token), tokenHash(sessionToken), isoNow());
  if (!link)
    return failure(
      "INVALID_TOKEN",
      "This setup link was already used, or it expired or was revoked: each link works once. Ask the operator who sent it for a new setup link.",
    );
  return success({ sessionToken, orgId: link.orgId, expiresAt: link.expiresAt });
}

/** The setup link behind a setup session's bearer token, while the session may act. */
export async function activeSetupSession(deps: Pick<SetupLinkDeps, "setupLinks">, sessionToken: string): Promise<SetupLink | undefined> {
  const link = await deps.setupLinks.bySession(tokenHash(sessionToken));
  return link && setupSessionActive(link, isoNow()) ? link : undefined;
}

/** Setup sessions' bearer tokens start so, which tells them from the admin token before any lookup. */
export const isSetupSessionToken = (token: string) => token.startsWith("setup.");
