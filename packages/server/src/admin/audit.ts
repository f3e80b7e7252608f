import type { AuditFilter, AuditRecord } from "../domain/audit.ts";
import { fixFor } from "../domain/failure-fixes.ts";
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

/** One page of an organisation's audit trail (sign-in steps and admin actions), newest first, narrowed by `filter`. */
export async function auditPage(
  deps: AuditAdministration,
  orgId: string,
  limit: number,
  cursor: string | undefined,
  filter: AuditFilter = {},
): Promise<Result<{ records: AuditRecord[]; nextCursor: string | null }>> {
  const org = await requireOrganisation(deps, orgId);
  if (!org.ok) return org;
  const page = await deps.audit.page(org.value.id, Math.min(limit, MAX_AUDIT_PAGE), cursor, filter);
  return success({ records: page.records.map(explainedRecord), nextCursor: page.nextCursor });
}

/**
 * One page of the records outside any organisation, newest first, narrowed by `filter`: changes
 * to the service's keys (`keys.rotated`, `keys.reencrypted`), and sign-in steps that failed before
 * an organisation was known. The operator's alone.
 */
export async function serviceAuditPage(
  deps: Pick<AuditAdministration, "audit">,
  limit: number,
  cursor: string | undefined,
  filter: AuditFilter = {},
): Promise<{ records: AuditRecord[]; nextCursor: string | null }> {
  const page = await deps.audit.page(null, Math.min(limit, MAX_AUDIT_PAGE), cursor, filter);
  return { records: page.records.map(explainedRecord), nextCursor: page.nextCursor };
}

/** An audit record as admins read it: a failure carries its reason (the failure id) and what to do about it. */
export function explainedRecord(record: AuditRecord): AuditRecord & { reason?: string; fix?: string } {
  if (record.outcome !== "failure" || record.error === null) return record;
  const fix = fixFor(record.error);
  return { ...record, reason: record.error, ...(fix && { fix }) };
}
