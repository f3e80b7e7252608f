import type { AuditRecord } from "../domain/audit.ts";
import type { Result } from "../domain/failures.ts";
import { success } from "../domain/failures.ts";
import type { AuditTrail } from "../domain/ports/repositories.ts";
import { type OrganisationAdministration, requireOrganisation } from "./organisations.ts";

/** The ports the audit trail's reader needs. */
export interface AuditAdministration extends OrganisationAdministration {
  readonly audit: Pick<AuditTrail, "page">;
}

/** The most a page of the audit trail holds, whatever is asked. */
export const MAX_AUDIT_PAGE = 200;

/** One page of an organisation's sign-in audit trail, newest first. */
export async function auditPage(
  deps: AuditAdministration,
  orgId: string,
  limit: number,
  cursor: string | undefined,
): Promise<Result<{ records: AuditRecord[]; nextCursor: string | null }>> {
  const org = await requireOrganisation(deps, orgId);
  if (!org.ok) return org;
  return success(await deps.audit.page(org.value.id, Math.min(limit, MAX_AUDIT_PAGE), cursor));
}
