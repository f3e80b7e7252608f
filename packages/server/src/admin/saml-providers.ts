import type { AuditChange } from "../domain/audit.ts";
import { failure, type Result, success } from "../domain/failures.ts";
import type { SamlProviderRepository } from "../domain/ports/saml-providers.ts";
import type { ProviderNetworkAllowList } from "../domain/provider-network.ts";
import { linkingAfterIdentitySave, samlIdentitySettingsChanged } from "../domain/provider-linking.ts";
import {
  checkIdpMetadataUrl,
  idpSourceOf,
  type IdpValues,
  type SamlProviderInput,
  samlSubjectNamespace,
  validateSamlProviderSettings,
} from "../domain/saml-provider-input.ts";
import type { SamlProviderSettings, SamlProviderView } from "../domain/saml-provider.ts";
import { fetchIdpMetadata } from "../oauth/idp-metadata.ts";
import type { OutboundFetch } from "../oauth/outbound.ts";
import { readIdpMetadata, serviceProviderMetadata } from "../saml/metadata.ts";
import { makeServiceProviderKey } from "../saml/service-provider-key.ts";
import { SAML_PRESETS, type SamlPreset } from "../presets/saml.ts";
import { type AdminActionDeps, type AdminCaller, changesBetween, recordAdminAction } from "./admin-actions.ts";
import { type OrganisationAdministration, requireOrganisation } from "./organisations.ts";
import { recordDroppedLinks } from "./providers.ts";

/** The ports SAML provider administration needs: the metadata URL is read through the outbound guard. */
export interface SamlProviderAdministration extends OrganisationAdministration, AdminActionDeps {
  readonly samlProviders: SamlProviderRepository;
  readonly outbound: OutboundFetch;
}

/** Where a save may reach: as for OAuth providers. */
export interface SamlSaveOptions {
  readonly allowInsecureLoopback: boolean;
  readonly networkAllow?: ProviderNetworkAllowList;
}

export const noSuchSamlProvider = (name: string) => failure("NOT_FOUND", `No SAML provider "${name}" in this organisation.`);

/** The IdP's values from the source the admin chose: the metadata (fetched or pasted), or as given. */
async function resolveIdp(deps: SamlProviderAdministration, name: string, input: SamlProviderInput, options: SamlSaveOptions) {
  const source = idpSourceOf(input);
  if (!source.ok) return source;
  if (source.value.kind === "values") return success<IdpValues>(source.value);
  let xml = source.value.kind === "metadata-xml" ? source.value.xml : undefined;
  if (source.value.kind === "metadata-url") {
    // The URL is checked (https, no private address) before anything is fetched from it.
    const problem = checkIdpMetadataUrl(source.value.url, options);
    if (problem) return problem;
    const fetched = await fetchIdpMetadata(deps.outbound, name, source.value.url);
    if (!fetched.ok) return fetched;
    xml = fetched.value;
  }
  const metadata = readIdpMetadata(xml!);
  return metadata.ok ? success<IdpValues>(metadata.value) : metadata;
}

/** A SAML provider's fields as its audit records compare them: certificates by fingerprint. */
function recordedFields(view: SamlProviderView | undefined): Record<string, unknown> | undefined {
  if (!view) return undefined;
  const { createdAt: _created, updatedAt: _updated, idpCertificates, ...settings } = view;
  return { ...settings, idpCertificates: idpCertificates.map((c) => c.fingerprintSha256) };
}

export const samlProviderChanges = (before: SamlProviderView | undefined, after: SamlProviderView | undefined): AuditChange[] =>
  changesBetween(recordedFields(before), recordedFields(after));

/**
 * Validates and stores a SAML provider: the IdP's values read from its metadata (fetched through
 * the outbound guard, or pasted) or given directly, checked like OAuth providers' URLs. Who
 * saves decides which existing users it may link (its identity settings: the IdP's entity ID,
 * SSO URL, metadata URL, certificates, and the subject and email attributes); only the operator
 * may set `linkExistingUsers`. Another entity ID (or subject attribute) drops the identity links.
 * With `signAuthnRequests`, an SP key is made on first need and kept sealed.
 */
export async function saveSamlProvider(
  deps: SamlProviderAdministration,
  orgId: string,
  name: string,
  input: SamlProviderInput,
  options: SamlSaveOptions,
  caller: AdminCaller,
): Promise<Result<{ view: SamlProviderView; created: boolean; identityLinksDropped: number }>> {
  if (caller.delegated && input.linkExistingUsers !== undefined)
    return failure(
      "FORBIDDEN",
      "Only the operator (the admin token) may set linkExistingUsers: it lets the provider link existing users; leave it out.",
    );
  const org = await requireOrganisation(deps, orgId);
  if (!org.ok) return org;
  const idp = await resolveIdp(deps, name, input, options);
  if (!idp.ok) return idp;
  const settings = validateSamlProviderSettings(name, input, idp.value, options);
  if (!settings.ok) return settings;
  const after = settings.value;
  const before = await deps.samlProviders.view(orgId, name);
  const put = await deps.samlProviders.put(orgId, after, {
    identityLinksSurvive: (stored: SamlProviderSettings) => samlSubjectNamespace(stored) === samlSubjectNamespace(after),
    linking: (stored) =>
      linkingAfterIdentitySave(
        stored && { linking: stored.linking, changed: samlIdentitySettingsChanged(stored.settings, after) },
        caller,
        input.linkExistingUsers,
      ),
    spKey: () => makeServiceProviderKey(`pipeshub-auth ${orgId}/${name}`),
  });
  if (!put.ok) return put;
  const saved = put.value;
  await recordAdminAction(deps, caller, {
    event: saved.created ? "provider.created" : "provider.updated",
    orgId,
    provider: name,
    changes: samlProviderChanges(saved.created ? undefined : before, saved.view),
  });
  await recordDroppedLinks(deps, caller, orgId, name, saved.identityLinksDropped);
  return success(saved);
}

/** An organisation's SAML providers, by name. */
export async function listSamlProviders(deps: SamlProviderAdministration, orgId: string): Promise<Result<SamlProviderView[]>> {
  const org = await requireOrganisation(deps, orgId);
  return org.ok ? success(await deps.samlProviders.list(org.value.id)) : org;
}

/** One SAML provider as admins see it, or NOT_FOUND. */
export async function viewSamlProvider(deps: SamlProviderAdministration, orgId: string, name: string): Promise<Result<SamlProviderView>> {
  const view = await deps.samlProviders.view(orgId, name);
  return view ? success(view) : noSuchSamlProvider(name);
}

/** Removes a SAML provider (its identity links go with it), or NOT_FOUND. Recorded as `provider.deleted`. */
export async function removeSamlProvider(
  deps: SamlProviderAdministration,
  orgId: string,
  name: string,
  caller: AdminCaller,
): Promise<Result<void>> {
  const before = await deps.samlProviders.view(orgId, name);
  if (!(await deps.samlProviders.remove(orgId, name))) return noSuchSamlProvider(name);
  await recordAdminAction(deps, caller, {
    event: "provider.deleted",
    orgId,
    provider: name,
    changes: samlProviderChanges(before, undefined),
  });
  return success(undefined);
}

/** The SP metadata of a SAML provider (public: the IdP's admin loads it), or NOT_FOUND. */
export async function samlServiceProviderMetadata(
  deps: { readonly samlProviders: Pick<SamlProviderRepository, "configured"> },
  orgId: string,
  name: string,
): Promise<Result<string>> {
  const provider = await deps.samlProviders.configured(orgId, name);
  return provider ? success(serviceProviderMetadata(provider)) : noSuchSamlProvider(name);
}

/** The SAML presets: which value to copy where at each IdP. */
export const samlProviderPresets = (): readonly SamlPreset[] => SAML_PRESETS;
