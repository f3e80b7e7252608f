import type { FastifyInstance } from "fastify";

/**
 * PipesHub serves its public API under `/api/v1` (its generated SDK's default server is
 * `https://{server_url}/api/v1`); this service serves it at the root too. A request under
 * `/api/v1` to one of these groups is routed as the same path at the root (Fastify's `rewriteUrl`,
 * before routing), so both mounts are ONE endpoint to everything keyed by the route: its handler,
 * schemas and hooks, the rate limits' counters, the metrics' route label, the admin scope's route
 * checks and the audit trail. The admin API's own `/api/v1/orgs/…` routes are not among them.
 */
export const API_V1_PREFIX = "/api/v1";
export const API_V1_GROUPS: readonly string[] = ["/userAccount", "/orgAuthConfig", "/configurationManager"];

const groups = API_V1_GROUPS.map((group) => group.slice(1)).join("|");
/** `/api/v1` when a mounted group follows it as a whole segment (`/api/v1/userAccountX` is not one). */
const MOUNT = new RegExp(`^${API_V1_PREFIX}(?=/(?:${groups})(?:[/?]|$))`);

/** The URL a request is routed by: a mounted group's path without `/api/v1`; any other URL as it is. */
export function atRootMount(url: string): string {
  return url.replace(MOUNT, "");
}

const isMounted = (path: string) => API_V1_GROUPS.some((group) => path === group || path.startsWith(`${group}/`));

/**
 * Lists both mounts as the servers of each mounted operation in `/openapi.json` (the root first,
 * as the document's own server), so each operation appears once, with one operationId, and a
 * generator may pick either base URL. Installed before the routes it describes.
 */
export function documentApiV1Mount(app: FastifyInstance, publicUrl: string): void {
  const servers = [
    { url: publicUrl, description: "The root" },
    { url: `${publicUrl}${API_V1_PREFIX}`, description: "PipesHub's mount: the same endpoint under /api/v1" },
  ];
  app.addHook("onRoute", (route) => {
    if (route.schema && !route.schema.hide && isMounted(route.url)) route.schema = { ...route.schema, servers } as typeof route.schema;
  });
}
