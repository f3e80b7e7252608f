import { failure, type Result, success } from "../domain/failures.ts";
import type { ScimUser, ScimUserAttributes, ScimUserWrite } from "../domain/scim.ts";

/** The SCIM schemas (RFC 7643) the service speaks. */
export const SCIM_SCHEMA = {
  user: "urn:ietf:params:scim:schemas:core:2.0:User",
  group: "urn:ietf:params:scim:schemas:core:2.0:Group",
  listResponse: "urn:ietf:params:scim:api:messages:2.0:ListResponse",
  patchOp: "urn:ietf:params:scim:api:messages:2.0:PatchOp",
  error: "urn:ietf:params:scim:api:messages:2.0:Error",
} as const;

/** A SCIM failure: the service's failure id (and so the status) with RFC 7644's `scimType` when one fits. */
export const scimFailure = (
  id: "VALIDATION_ERROR" | "CONFLICT" | "NOT_FOUND" | "PRECONDITION_FAILED",
  scimType: string | undefined,
  message: string,
) => failure(id, message, scimType ? { extra: { scimType } } : {});

const invalidValue = (message: string) => scimFailure("VALIDATION_ERROR", "invalidValue", message);

/** `active` as Entra ID sends it too: the strings "True" and "False", in any case. */
function booleanOf(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value === "string" && /^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
  return undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const looksLikeEmail = (value: string) => /^[^\s@]+@[^\s@]+$/.test(value) && value.length <= 320;

/** The user's email: the primary email, else the work one, else the first, else userName. */
function emailOf(userName: string, emails: readonly Readonly<Record<string, unknown>>[] | undefined): string {
  const pick = emails?.find((e) => booleanOf(e.primary) === true) ?? emails?.find((e) => e.type === "work") ?? emails?.[0];
  return typeof pick?.value === "string" ? pick.value : userName;
}

/**
 * A SCIM User resource (a create's or replace's body, or a patched resource) as the write that
 * stores it. userName is required; the user's email is the primary (or work, or first) email, else
 * userName, and must be an address; `active` defaults to true; unknown attributes are ignored.
 */
export function scimUserWrite(resource: unknown): Result<ScimUserWrite> {
  if (!isRecord(resource)) return scimFailure("VALIDATION_ERROR", "invalidSyntax", "The body must be a SCIM User object.");
  const { userName, name, displayName, emails, externalId, active } = resource;
  if (typeof userName !== "string" || userName.trim() === "" || userName.length > 320)
    return invalidValue("userName is required: a non-empty string.");
  if (name !== undefined && name !== null && !isRecord(name)) return invalidValue("name must be an object.");
  if (displayName !== undefined && displayName !== null && typeof displayName !== "string")
    return invalidValue("displayName must be a string.");
  if (emails !== undefined && emails !== null && !(Array.isArray(emails) && emails.every(isRecord)))
    return invalidValue("emails must be a list of objects.");
  if (externalId !== undefined && externalId !== null && (typeof externalId !== "string" || externalId.length > 256))
    return invalidValue("externalId must be a string.");
  const activeValue = active === undefined || active === null ? true : booleanOf(active);
  if (activeValue === undefined) return invalidValue('active must be a boolean (or "True"/"False").');
  const emailList = (emails ?? undefined) as Record<string, unknown>[] | undefined;
  const email = emailOf(userName, emailList);
  if (!looksLikeEmail(email)) return invalidValue("The user needs an email address: in emails, or as userName.");
  const nameValue = (name ?? undefined) as Record<string, unknown> | undefined;
  const attributes: ScimUserAttributes = {
    userName,
    ...(nameValue && { name: nameValue }),
    ...(typeof displayName === "string" && { displayName }),
    ...(emailList && { emails: emailList }),
  };
  const given = [nameValue?.givenName, nameValue?.familyName].filter((part) => typeof part === "string").join(" ");
  const fullName =
    (typeof displayName === "string" && displayName) || (typeof nameValue?.formatted === "string" && nameValue.formatted) || given || null;
  return success({ email, fullName, externalId: typeof externalId === "string" ? externalId : null, active: activeValue, attributes });
}

/** The user as a SCIM User resource (RFC 7643 §4.1), its location under `baseUrl`. */
export function scimUserResource(record: ScimUser, baseUrl: string) {
  const { user, attributes } = record;
  return {
    schemas: [SCIM_SCHEMA.user],
    id: user.id,
    ...(record.externalId !== null && { externalId: record.externalId }),
    userName: attributes.userName,
    ...(attributes.name && { name: attributes.name }),
    ...(attributes.displayName !== undefined && { displayName: attributes.displayName }),
    emails: attributes.emails ?? [{ value: user.email, type: "work", primary: true }],
    active: user.status === "active",
    meta: {
      resourceType: "User",
      created: user.createdAt,
      lastModified: user.createdAt,
      location: `${baseUrl}/Users/${user.id}`,
      version: scimVersion(record.version),
    },
  };
}

/** A resource's `meta.version`, also its ETag: a weak one, as RFC 7644 §3.14 shows. */
export const scimVersion = (version: number) => `W/"${version}"`;

/** The version an If-Match header asks for; undefined for none or `*`; NaN for one this service never made. */
export function ifMatchVersion(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === "*") return undefined;
  const match = /^\s*(?:W\/)?"(\d+)"\s*$/.exec(header);
  return match ? Number(match[1]) : Number.NaN;
}
