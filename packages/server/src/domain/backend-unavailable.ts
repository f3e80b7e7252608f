/** A backend the service depends on: the database, or the shared state (Redis). */
export type Backend = "database" | "shared state";

/**
 * Thrown by store/ and state/ when their backend cannot be reached, did not answer in time or
 * dropped the connection mid-request. The error handler answers it as `503 SERVICE_UNAVAILABLE`;
 * the driver's error stays in `cause`, for the log only.
 */
export class BackendUnavailableError extends Error {
  readonly backend: Backend;
  constructor(backend: Backend, options: { cause?: unknown } = {}) {
    super(`the ${backend} is unavailable`, options);
    this.name = "BackendUnavailableError";
    this.backend = backend;
  }
}
