import type { FastifyRequest } from "fastify";
import type { DoctorFinding } from "../../admin/provider-doctor.ts";
import type { ProviderHealth } from "../../admin/provider-health.ts";
import { type FixReader, fixAsRead, plainText } from "../../domain/fix-wording.ts";
import type { TestSignInResult } from "../../signin/test-sign-in.ts";
import { CONSOLE_HEADER } from "./admin-token.ts";

/*
 * Fixes worded for where they are read (domain/fix-wording.ts): the admin console sends its
 * header with every call and reads fixes naming its own fields and buttons, as plain text; every
 * other caller reads them naming the API's settings and paths. Applied at the edge, after
 * answers-without-cause.ts has decided which failure the caller reads.
 */

/** Who reads the answer to this request. */
export const readerOf = (request: FastifyRequest): FixReader => (request.headers[CONSOLE_HEADER] === "1" ? "console" : "api");

/** The doctor's findings, each fix as the caller reads it. */
export function doctorAsRead(request: FastifyRequest, report: { findings: DoctorFinding[] }): { findings: DoctorFinding[] } {
  const reader = readerOf(request);
  return {
    findings: report.findings.map(({ inConsole, ...finding }) =>
      reader === "console" && finding.fix !== undefined ? { ...finding, fix: inConsole ?? plainText(finding.fix) } : finding,
    ),
  };
}

/** A page of the audit trail, each failure's fix as the caller reads it. */
export function auditPageAsRead<R extends { error: string | null; provider: string | null; reason?: string; fix?: string }>(
  request: FastifyRequest,
  page: { records: R[]; nextCursor: string | null },
): { records: R[]; nextCursor: string | null } {
  if (readerOf(request) === "api") return page;
  const records = page.records.map((record) => {
    if (record.fix === undefined) return record;
    return { ...record, fix: fixAsRead(record.reason ?? record.error ?? "", "console", record.provider) ?? plainText(record.fix) };
  });
  return { ...page, records };
}

/** A provider's health, the last failure's fix as the caller reads it. */
export function healthAsRead(request: FastifyRequest, health: ProviderHealth, provider: string): ProviderHealth {
  const last = health.lastFailure;
  if (readerOf(request) === "api" || last?.fix === undefined) return health;
  return { ...health, lastFailure: { ...last, fix: fixAsRead(last.reason, "console", provider) ?? plainText(last.fix) } };
}

/** A test sign-in's result, a refusal's fix as the caller reads it. */
export function testSignInAsRead(request: FastifyRequest, result: TestSignInResult): TestSignInResult {
  const { decision } = result;
  if (readerOf(request) === "api" || decision.outcome !== "refused") return result;
  return { ...result, decision: { ...decision, fix: fixAsRead(decision.reason, "console", result.provider) ?? plainText(decision.fix) } };
}
