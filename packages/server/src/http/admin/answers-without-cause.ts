import type { FastifyRequest } from "fastify";
import type { DoctorFinding } from "../../admin/provider-doctor.ts";
import type { ProviderHealth } from "../../admin/provider-health.ts";
import type { AuditRecord } from "../../domain/audit.ts";
import { fixFor } from "../../domain/failure-fixes.ts";
import type { Failure } from "../../domain/failures.ts";
import { isConnectionFailure, reasonWithoutCause, withoutConnectionCause } from "../../domain/provider-connection.ts";
import type { TestSignInResult } from "../../signin/test-sign-in.ts";
import { organisationScopeOf } from "./admin-token.ts";

/*
 * The admin functions answer what happened, cause included. Here, at the edge, a caller limited
 * to one organisation (an organisation admin, a setup-link session) reads every failure to
 * connect to a provider as one answer, PROVIDER_UNAVAILABLE "could not connect to the provider",
 * so that pointing a provider at a host and port and asking the doctor, the test, a test sign-in,
 * the provider's health or the audit trail is no port scanner (domain/provider-connection.ts).
 * The operator reads everything as it is.
 */

const delegated = (request: FastifyRequest) => organisationScopeOf(request) !== undefined;

/** A failure as the caller reads it. */
export function failureFor(request: FastifyRequest, f: Failure): Failure {
  return delegated(request) ? withoutConnectionCause(f) : f;
}

/** The doctor's report as the caller reads it. */
export function doctorReportFor(request: FastifyRequest, report: { findings: DoctorFinding[] }): { findings: DoctorFinding[] } {
  if (!delegated(request)) return report;
  return { findings: report.findings.map(({ withoutCause, ...finding }) => ({ ...finding, message: withoutCause ?? finding.message })) };
}

/** A provider's health as the caller reads it: failures to connect counted as one reason. */
export function healthFor(request: FastifyRequest, health: ProviderHealth): ProviderHealth {
  if (!delegated(request)) return health;
  const failures: Record<string, number> = {};
  for (const [reason, count] of Object.entries(health.failures)) {
    const shown = reasonWithoutCause(reason);
    failures[shown] = (failures[shown] ?? 0) + count;
  }
  const last = health.lastFailure;
  const fix = last && fixFor(reasonWithoutCause(last.reason));
  return {
    ...health,
    failures,
    lastFailure: last && { reason: reasonWithoutCause(last.reason), at: last.at, ...(fix && { fix }) },
  };
}

/** A page of the audit trail as the caller reads it: a failure to connect recorded as one reason. */
export function auditPageFor<R extends AuditRecord & { reason?: string; fix?: string }>(
  request: FastifyRequest,
  page: { records: R[]; nextCursor: string | null },
): { records: R[]; nextCursor: string | null } {
  if (!delegated(request)) return page;
  const records = page.records.map((record) => {
    if (record.error === null || !isConnectionFailure(record.error)) return record;
    const reason = reasonWithoutCause(record.error);
    const fix = fixFor(reason);
    return { ...record, error: reason, ...(record.reason !== undefined && { reason }), ...(fix && record.fix !== undefined && { fix }) };
  });
  return { ...page, records };
}

/** A test sign-in's result as the caller reads it: a refusal for a failure to connect without its cause. */
export function testSignInFor(request: FastifyRequest, result: TestSignInResult): TestSignInResult {
  const { decision } = result;
  if (!delegated(request) || decision.outcome !== "refused" || !isConnectionFailure(decision.reason)) return result;
  const reason = "PROVIDER_UNAVAILABLE";
  return { ...result, decision: { ...decision, reason, fix: fixFor(reason) ?? decision.fix } };
}
