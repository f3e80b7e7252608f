import type { AuditChange } from "../domain/audit.ts";
import type { ProviderView } from "../domain/provider-settings.ts";
import { changesBetween, STORED_SECRET } from "./admin-actions.ts";

/** The secrets a provider write may be given: recorded only as changed, never their values. */
export interface GivenSecrets {
  readonly clientSecret?: string | undefined;
  readonly nextClientSecret?: string | undefined;
}

const SECRET_FIELDS = ["clientSecret", "nextClientSecret"] as const;

/** A provider's settings and secrets as its audit records compare them; undefined when there is no provider. */
function recordedFields(view: ProviderView | undefined, given: GivenSecrets = {}): Record<string, unknown> | undefined {
  if (!view) return undefined;
  // When it was made or saved is the record's own time; whether a secret is set shows as the secret's change.
  const { clientSecretSet, nextClientSecretSet, createdAt: _created, updatedAt: _updated, ...settings } = view;
  return {
    ...settings,
    clientSecret: given.clientSecret ?? (clientSecretSet ? STORED_SECRET : undefined),
    nextClientSecret: given.nextClientSecret ?? (nextClientSecretSet ? STORED_SECRET : undefined),
  };
}

/**
 * What saving, removing or promoting a provider changed: `before` and `after` as admins see them
 * (undefined: no provider), with the secrets the write was given. A secret given is a change
 * (its value is never at hand to compare, nor recorded); one kept is not.
 */
export function providerChanges(
  before: ProviderView | undefined,
  after: ProviderView | undefined,
  given: GivenSecrets = {},
): AuditChange[] {
  return changesBetween(recordedFields(before), recordedFields(after, given), { secretFields: SECRET_FIELDS });
}
