/**
 * The one way the service talks to providers (discovery, JWKS, token, userinfo): a fetch
 * with a deadline, a response size cap, no redirects, and plain http refused except on
 * loopback when the operator allowed it. Failures are `OutboundError`s with a kind the
 * sign-in logic maps to PROVIDER_TIMEOUT / PROVIDER_UNAVAILABLE / PROVIDER_ERROR.
 */
import { isPermittedProviderUrl } from "../domain/provider-urls.ts";

export type OutboundFailureKind = "timeout" | "unreachable" | "too_large" | "insecure" | "redirect";

export class OutboundError extends Error {
  readonly kind: OutboundFailureKind;
  /** The host that failed (never a full URL: query strings may carry secrets). */
  readonly host: string;
  constructor(kind: OutboundFailureKind, host: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "OutboundError";
    this.kind = kind;
    this.host = host;
  }
}

export interface OutboundPolicy {
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly allowInsecureLoopback: boolean;
}

/** Request options as openid-client and jose pass them (their body types are wider than DOM's). */
export type OutboundInit = Omit<RequestInit, "body"> & { body?: unknown };
export type OutboundFetch = (url: string | URL, init?: OutboundInit) => Promise<Response>;

async function readCapped(response: Response, maxBytes: number, host: string): Promise<Buffer<ArrayBuffer>> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new OutboundError("too_large", host, `response from ${host} exceeds ${maxBytes} bytes`);
  }
  if (!response.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new OutboundError("too_large", host, `response from ${host} exceeds ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}

export function createOutboundFetch(policy: OutboundPolicy, baseFetch: typeof fetch = fetch): OutboundFetch {
  return async (input, init = {}) => {
    const url = new URL(input);
    const host = url.host;
    if (!isPermittedProviderUrl(url, policy.allowInsecureLoopback)) {
      throw new OutboundError("insecure", host, `refusing to call ${url.protocol}//${host}: providers must use https`);
    }
    const deadline = AbortSignal.timeout(policy.timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    try {
      const response = await baseFetch(url, { ...init, body: init.body as BodyInit | null | undefined, redirect: "manual", signal });
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel().catch(() => undefined);
        throw new OutboundError("redirect", host, `${host} answered with a redirect (${response.status}); redirects are not followed`);
      }
      const body = await readCapped(response, policy.maxResponseBytes, host);
      // Null-body statuses must not be given a body when re-wrapping.
      const nullBody = response.status === 204 || response.status === 205 || response.status === 304;
      return new Response(nullBody ? null : body, { status: response.status, statusText: response.statusText, headers: response.headers });
    } catch (error) {
      if (error instanceof OutboundError) throw error;
      if (deadline.aborted || (isAbort(error) && !init.signal?.aborted)) {
        throw new OutboundError("timeout", host, `${host} did not answer within ${policy.timeoutMs} ms`, { cause: error });
      }
      if (isAbort(error)) throw error;
      const reason = systemErrorCode(error);
      throw new OutboundError("unreachable", host, `${host} could not be reached${reason ? ` (${reason})` : ""}`, { cause: error });
    }
  };
}

/** The system error code (ECONNREFUSED, ENOTFOUND, …) in an error's cause chain: why a host could not be reached. */
function systemErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^E[A-Z_]{2,31}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Finds an OutboundError anywhere in an error's cause chain. */
export function findOutboundError(error: unknown): OutboundError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current; depth++) {
    if (current instanceof OutboundError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
