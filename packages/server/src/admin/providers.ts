import { failure, type Result, success } from "../domain/failures.ts";
import type { ProviderRepository } from "../domain/ports/repositories.ts";
import { linkingAfterSave } from "../domain/provider-linking.ts";
import {
  type ProviderSettings,
  type ProviderSettingsInput,
  type ProviderView,
  subjectNamespace,
  validateProviderSettings,
} from "../domain/provider-settings.ts";
import { type Discovery, endpointsOf } from "../oauth/discovery.ts";
import type { IdTokenVerifier } from "../oauth/id-token.ts";
import type { ProviderNetworkAllowList } from "../domain/provider-network.ts";
import { describePresets, expandPreset, type PresetSelection } from "../presets/index.ts";
import { type AdminActionDeps, type AdminCaller, recordAdminAction } from "./admin-actions.ts";
import { type OrganisationAdministration, requireOrganisation } from "./organisations.ts";
import { providerChanges } from "./provider-changes.ts";
import { bindSecretsForSave, type SecretBindingDeps } from "./secret-binding.ts";

/**
 * The ports provider administration needs; its writes, and the identity links a save drops, are
 * recorded in the organisation's audit trail.
 */
export interface ProviderAdministration extends OrganisationAdministration, SecretBindingDeps, AdminActionDeps {
  readonly providers: ProviderRepository;
}

/**
 * Whether a provider's identity links survive replacing `before` with `after`: only while its
 * subjects keep meaning the same accounts. Another issuer (or token endpoint) or subject claim
 * means other identifiers, and a subject from there must never match an old link.
 */
export function identityLinksSurvive(before: ProviderSettings, after: ProviderSettings): boolean {
  return subjectNamespace(before) === subjectNamespace(after);
}

/**
 * Validates and stores provider settings: creates, or replaces keeping the secret when none is
 * given and the token endpoint stays on the origin it was given for (admin/secret-binding.ts). A
 * `preset` is expanded first; the fields given explicitly override the preset's. Who saves decides
 * which existing users the provider may link (linkingAfterSave); only the operator may set
 * `linkExistingUsers`. Recorded as `provider.created` or `provider.updated`, with what changed
 * (secrets only as changed); identity links the save drops are counted in the answer and recorded.
 */
export async function saveProvider(
  deps: ProviderAdministration,
  orgId: string,
  name: string,
  given: ProviderSettingsInput & PresetSelection,
  options: { allowInsecureLoopback: boolean; networkAllow?: ProviderNetworkAllowList },
  caller: AdminCaller,
): Promise<Result<{ view: ProviderView; created: boolean; identityLinksDropped: number }>> {
  if (caller.delegated && given.linkExistingUsers !== undefined) {
    return failure(
      "FORBIDDEN",
      "Only the operator (the admin token) may set linkExistingUsers: it lets the provider link existing users; leave it out.",
    );
  }
  const org = await requireOrganisation(deps, orgId);
  if (!org.ok) return org;
  const input = expandPreset(given);
  if (!input.ok) return input;
  // The provider as stored, read once: whether it has a secret, and what the record's changes start from.
  const before = await deps.providers.view(orgId, name);
  const settings = validateProviderSettings(name, input.value, {
    allowInsecureLoopback: options.allowInsecureLoopback,
    existingSecret: before?.clientSecretSet === true,
    ...(options.networkAllow && { networkAllow: options.networkAllow }),
  });
  if (!settings.ok) return settings;
  const after = settings.value;
  const secretBinding = await bindSecretsForSave(deps, orgId, after, input.value);
  if (!secretBinding.ok) return secretBinding;
  const put = await deps.providers.put(
    orgId,
    after,
    input.value.clientSecret,
    {
      identityLinksSurvive: (before) => identityLinksSurvive(before, after),
      secretBinding: secretBinding.value,
      linking: (before) => linkingAfterSave(before, after, caller, given.linkExistingUsers),
    },
    input.value.nextClientSecret,
  );
  if (!put.ok) return put;
  const saved = put.value;
  await recordAdminAction(deps, caller, {
    event: saved.created ? "provider.created" : "provider.updated",
    orgId,
    provider: name,
    changes: providerChanges(saved.created ? undefined : before, saved.view, input.value),
  });
  await recordDroppedLinks(deps, caller, orgId, name, saved.identityLinksDropped);
  return success(saved);
}

/** Records the identity links a provider's save dropped (one record per save), when it dropped any. */
export async function recordDroppedLinks(deps: AdminActionDeps, caller: AdminCaller, orgId: string, name: string, dropped: number) {
  if (dropped === 0) return;
  await deps.audit.record({
    orgId,
    userId: null,
    email: null,
    provider: name,
    event: "identity.unlinked",
    outcome: "success",
    error: null,
    ip: caller.ip ?? null,
    actor: caller.actor,
    // The links went because the provider's subjects now mean other accounts.
    changes: [{ field: "identityLinks", before: dropped, after: 0 }],
  });
}

/** The provider presets an admin can start from, with the options each needs. */
export function providerPresets(): ReturnType<typeof describePresets> {
  return describePresets();
}

/** An organisation's providers, by name, never with their secrets. */
export async function listProviders(deps: ProviderAdministration, orgId: string): Promise<Result<ProviderView[]>> {
  const org = await requireOrganisation(deps, orgId);
  return org.ok ? success(await deps.providers.list(org.value.id)) : org;
}

export const noSuchProvider = (name: string) => failure("NOT_FOUND", `No provider "${name}" in this organisation.`);

/** One provider as admins see it (no secret), or NOT_FOUND. */
export async function viewProvider(deps: ProviderAdministration, orgId: string, name: string): Promise<Result<ProviderView>> {
  const view = await deps.providers.view(orgId, name);
  return view ? success(view) : noSuchProvider(name);
}

/** Removes a provider (its identity links go with it), or NOT_FOUND. Recorded as `provider.deleted` with the settings it had. */
export async function removeProvider(
  deps: ProviderAdministration,
  orgId: string,
  name: string,
  caller: AdminCaller,
): Promise<Result<void>> {
  const before = await deps.providers.view(orgId, name);
  if (!(await deps.providers.remove(orgId, name))) return noSuchProvider(name);
  await recordAdminAction(deps, caller, { event: "provider.deleted", orgId, provider: name, changes: providerChanges(before, undefined) });
  return success(undefined);
}

/**
 * Ends a client-secret rotation: the next secret becomes the current one (the old is
 * forgotten). CONFLICT when no next secret is stored. Recorded as `provider.secret_promoted`.
 */
export async function promoteProviderSecret(
  deps: ProviderAdministration,
  orgId: string,
  name: string,
  caller: AdminCaller,
): Promise<Result<ProviderView>> {
  const promoted = await deps.providers.promoteSecret(orgId, name);
  if (promoted === undefined) return noSuchProvider(name);
  if (promoted === "no-next-secret")
    return failure("CONFLICT", `The provider "${name}" has no nextClientSecret to promote; save one with its settings first.`);
  const changes = [
    { field: "clientSecret", changed: true },
    { field: "nextClientSecret", changed: true },
  ] as const;
  await recordAdminAction(deps, caller, { event: "provider.secret_promoted", orgId, provider: name, changes });
  return success(promoted);
}

/** What an admin's provider check learnt: the issuer and the endpoints sign-in will use. */
export interface ProviderCheck {
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
}

/** What a provider check needs: the stored provider, discovery and the ID-token keys. */
export interface ProviderCheckDeps {
  readonly providers: Pick<ProviderRepository, "configured">;
  readonly discovery: Pick<Discovery, "connect">;
  readonly idTokens: Pick<IdTokenVerifier, "reloadKeys">;
}

/** Checks that a provider's settings work: discovery (when configured) answers, and an OpenID Connect provider's keys can be fetched. */
export async function checkProvider(deps: ProviderCheckDeps, orgId: string, name: string): Promise<Result<ProviderCheck>> {
  const provider = await deps.providers.configured(orgId, name);
  if (!provider) return noSuchProvider(name);
  const connection = await deps.discovery.connect(provider);
  if (!connection.ok) return connection;
  if (provider.settings.issuer) {
    const keys = await deps.idTokens.reloadKeys(connection.value);
    if (!keys.ok) return keys;
  }
  const { issuer, authorizationEndpoint, tokenEndpoint } = endpointsOf(connection.value);
  return success({ issuer, authorizationEndpoint, tokenEndpoint });
}
