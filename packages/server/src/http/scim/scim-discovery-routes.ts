import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import { SCIM_SCHEMA } from "../../admin/scim-user-resource.ts";
import { SCIM_MAX_RESULTS } from "../../admin/scim-users.ts";
import { sendScim, sendScimList } from "./scim-api.ts";

const HIDDEN = { hide: true } as const;
const CONFIG_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema";

/** One attribute of a schema (RFC 7643 §7), with the defaults most attributes share. */
const attribute = (name: string, type: string, more: Record<string, unknown> = {}) => ({
  name,
  type,
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: "readWrite",
  returned: "default",
  uniqueness: "none",
  ...more,
});

/** The User and Group schemas as far as the service keeps them (RFC 7643 §8.7.1, abridged). */
const SCHEMAS = [
  {
    id: SCIM_SCHEMA.user,
    name: "User",
    description: "A user account, by its email",
    attributes: [
      attribute("userName", "string", { required: true, uniqueness: "server" }),
      attribute("externalId", "string", { caseExact: true }),
      attribute("name", "complex", {
        subAttributes: ["formatted", "familyName", "givenName", "middleName"].map((n) => attribute(n, "string")),
      }),
      attribute("displayName", "string"),
      attribute("active", "boolean"),
      attribute("emails", "complex", {
        multiValued: true,
        subAttributes: [attribute("value", "string"), attribute("type", "string"), attribute("primary", "boolean")],
      }),
    ],
  },
  {
    id: SCIM_SCHEMA.group,
    name: "Group",
    description: "A group of users; the operator may map one to the admin role",
    attributes: [
      attribute("displayName", "string", { required: true, uniqueness: "server" }),
      attribute("externalId", "string", { caseExact: true }),
      attribute("members", "complex", {
        multiValued: true,
        subAttributes: [
          attribute("value", "string", { mutability: "immutable" }),
          attribute("$ref", "reference"),
          attribute("type", "string"),
        ],
      }),
    ],
  },
];

/** `ServiceProviderConfig`, `ResourceTypes` and `Schemas` (RFC 7644 §4): what the service supports. */
export function scimDiscoveryRoutes(baseUrlOf: (request: FastifyRequest) => string): FastifyPluginAsync {
  return async (app) => {
    app.get("/scim/v2/:orgId/ServiceProviderConfig", { schema: HIDDEN }, async (request, reply) =>
      sendScim(reply, 200, {
        schemas: [CONFIG_SCHEMA],
        patch: { supported: true },
        bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
        filter: { supported: true, maxResults: SCIM_MAX_RESULTS },
        changePassword: { supported: false },
        sort: { supported: false },
        etag: { supported: true },
        authenticationSchemes: [
          {
            type: "oauthbearertoken",
            name: "Bearer token",
            description: "A SCIM token made by POST /api/v1/orgs/{orgId}/scim-tokens",
            primary: true,
          },
        ],
        meta: { resourceType: "ServiceProviderConfig", location: `${baseUrlOf(request)}/ServiceProviderConfig` },
      }),
    );
    app.get("/scim/v2/:orgId/ResourceTypes", { schema: HIDDEN }, async (request, reply) => {
      const baseUrl = baseUrlOf(request);
      const types = [
        { id: "User", name: "User", endpoint: "/Users", schema: SCIM_SCHEMA.user },
        { id: "Group", name: "Group", endpoint: "/Groups", schema: SCIM_SCHEMA.group },
      ].map((t) => ({
        schemas: [RESOURCE_TYPE_SCHEMA],
        ...t,
        meta: { resourceType: "ResourceType", location: `${baseUrl}/ResourceTypes/${t.id}` },
      }));
      return sendScimList(reply, { total: types.length, startIndex: 1 }, types);
    });
    app.get("/scim/v2/:orgId/Schemas", { schema: HIDDEN }, async (request, reply) => {
      const baseUrl = baseUrlOf(request);
      const schemas = SCHEMAS.map((s) => ({
        schemas: [SCHEMA_SCHEMA],
        ...s,
        meta: { resourceType: "Schema", location: `${baseUrl}/Schemas/${s.id}` },
      }));
      return sendScimList(reply, { total: schemas.length, startIndex: 1 }, schemas);
    });
  };
}
