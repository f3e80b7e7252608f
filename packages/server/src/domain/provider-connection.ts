import { type Failure, failure } from "./failures.ts";

/*
 * A failure to connect to a provider — refused, reset, no TLS, silent until the deadline — says
 * something about the network around the service: whether a port on a host is open, speaks TLS
 * or drops packets. Whoever may point a provider anywhere (an organisation admin, a setup-link
 * session) and then read that, or the public reading initAuth's unavailable providers, would
 * have a port scanner. To them it is one answer, without the cause and without the
 * timeout/refusal distinction; the operator (the admin token) still reads the cause.
 */

/** The one answer a caller other than the operator gets for any failure to connect to a provider. */
export const CANNOT_CONNECT = "Could not connect to the provider.";

/** Whether the failure id is a failure to connect to (or hear back from) a provider. */
export const isConnectionFailure = (id: string): boolean => id === "PROVIDER_UNAVAILABLE" || id === "PROVIDER_TIMEOUT";

/** A recorded reason (a failure id) as a caller other than the operator reads it. */
export const reasonWithoutCause = (id: string): string => (isConnectionFailure(id) ? "PROVIDER_UNAVAILABLE" : id);

/**
 * A failure as a caller other than the operator reads it: a failure to connect becomes
 * `502 PROVIDER_UNAVAILABLE` "Could not connect to the provider."; what it was stays in `detail`
 * (the log). Any other failure is unchanged.
 */
export function withoutConnectionCause(f: Failure): Failure {
  if (!isConnectionFailure(f.error)) return f;
  return failure("PROVIDER_UNAVAILABLE", CANNOT_CONNECT, { detail: f.detail ?? f.message });
}
