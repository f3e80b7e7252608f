import { randomBytes } from "node:crypto";

/**
 * Time-ordered identifiers (48-bit millisecond time, then 80 random bits, hex): they sort
 * by creation, which the audit trail's cursor paging relies on.
 */
export function newId(now = Date.now()): string {
  return now.toString(16).padStart(12, "0") + randomBytes(10).toString("hex");
}

export function isoNow(): string {
  return new Date().toISOString();
}
