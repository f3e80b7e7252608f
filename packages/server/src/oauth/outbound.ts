/**
 * The one way the service talks to providers (discovery, JWKS, token, userinfo, emails): a
 * fetch over a keep-alive undici dispatcher with one deadline per call, a response
 * size cap, no redirects, plain http refused except on loopback when the operator allowed it,
 * and every connection checked against the provider network policy at connect time
 * (./provider-sockets.ts). Failures are `OutboundError`s with a kind the sign-in logic maps to
 * PROVIDER_TIMEOUT / PROVIDER_UNAVAILABLE / PROVIDER_ERROR / INVALID_PROVIDER_SETTINGS.
 */
import type { IncomingHttpHeaders } from "node:http";
import { isIP } from "node:net";
import type { Dispatcher } from "undici";
import { type ProviderNetworkAllowList, providerNetworkPolicy } from "../domain/provider-network.ts";
import { isPermittedProviderUrl } from "../domain/provider-urls.ts";
import { ProviderAddressRefused, providerDispatcher, type ResolveHost } from "./provider-sockets.ts";

export type OutboundFailureKind = "timeout" | "unreachable" | "too_large" | "insecure" | "redirect" | "refused";

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
  /** PROVIDER_NETWORK_ALLOW: the private hosts and ranges providers may nevertheless be at. */
  readonly networkAllow?: ProviderNetworkAllowList;
  /** How host names are resolved; the system resolver unless a test brings its own. */
  readonly resolve?: ResolveHost;
  /** CA certificates to trust instead of Node's bundle (tests with their own CA). */
  readonly ca?: string | Buffer;
}

/** Request options as openid-client and jose pass them (their body types are wider than DOM's). */
export type OutboundInit = Omit<RequestInit, "body"> & { body?: unknown };
/** A provider's answer as received: what `Response` would be made of, before anything makes one. */
export interface OutboundAnswer {
  readonly status: number;
  readonly statusText: string;
  /** Name/value pairs as received, repeated names kept. */
  readonly headers: [string, string][];
  readonly body: Uint8Array<ArrayBuffer> | null;
}

/** The guarded call itself, answering the bytes: for a hot caller that reads the answer without a `Response`. */
export type OutboundCall = (url: string | URL, init?: OutboundInit) => Promise<OutboundAnswer>;

/** A fetch over the guarded call; `answer` is that call, on the service's own (not on a test's stand-in). */
export type OutboundFetch = ((url: string | URL, init?: OutboundInit) => Promise<Response>) & { readonly answer?: OutboundCall };

/** The `Response` fetch answers for a provider's answer. */
export function responseOf(answer: OutboundAnswer): Response {
  return new Response(answer.body, { status: answer.status, statusText: answer.statusText, headers: answer.headers });
}

/**
 * The body and default content type of a request as fetch would send it. Text stays a string,
 * sent with the head in one write.
 */
function encodeBody(body: unknown): { content?: string | Uint8Array; length?: number; type?: string } {
  if (body === undefined || body === null) return {};
  if (body instanceof URLSearchParams) {
    const content = body.toString();
    return { content, length: Buffer.byteLength(content), type: "application/x-www-form-urlencoded;charset=UTF-8" };
  }
  if (typeof body === "string") return { content: body, length: Buffer.byteLength(body), type: "text/plain;charset=UTF-8" };
  if (body instanceof Uint8Array) return { content: body, length: body.byteLength };
  if (body instanceof ArrayBuffer) return { content: new Uint8Array(body), length: body.byteLength };
  throw new TypeError(`unsupported request body: ${Object.prototype.toString.call(body)}`);
}

/** The request's headers, lower-cased names, without a fetch `Headers` per call. */
function requestHeaders(init: OutboundInit, body: { length?: number; type?: string }): Record<string, string> {
  const headers: Record<string, string> = {};
  const given = init.headers;
  if (given instanceof Headers) given.forEach((value, name) => (headers[name] = value));
  else if (Array.isArray(given)) for (const [name, value] of given) headers[name!.toLowerCase()] = value!;
  else if (given) for (const name of Object.keys(given)) headers[name.toLowerCase()] = (given as Record<string, string>)[name]!;
  if (body.type && headers["content-type"] === undefined) headers["content-type"] = body.type;
  if (body.length !== undefined) headers["content-length"] = String(body.length);
  return headers;
}

/** The answer's headers as `Response` takes them: name/value pairs, repeated names kept. */
function responseHeaders(headers: IncomingHttpHeaders): [string, string][] {
  const pairs: [string, string][] = [];
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (typeof value === "string") pairs.push([name, value]);
    else if (value) for (const each of value) pairs.push([name, each]);
  }
  return pairs;
}

/** Null-body statuses must not be given a body in a `Response`. */
const NULL_BODY = new Set([204, 205, 304]);

export function createOutboundFetch(policy: OutboundPolicy): OutboundFetch {
  const network = providerNetworkPolicy({
    allowInsecureLoopback: policy.allowInsecureLoopback,
    ...(policy.networkAllow && { allow: policy.networkAllow }),
  });
  const dispatcher = providerDispatcher({
    network,
    ...(policy.resolve && { resolve: policy.resolve }),
    ...(policy.ca !== undefined && { ca: policy.ca }),
    // Past the call's deadline: that one ends a call first, as a timeout.
    connectTimeoutMs: policy.timeoutMs + 1000,
  });
  // The policy is fixed for this fetch's life, so a literal address is judged once, not per call.
  const literalVerdicts = new Map<string, boolean>();
  const literalRefused = (address: string): boolean => {
    let verdict = literalVerdicts.get(address);
    if (verdict === undefined) {
      verdict = network.refusedAddress(address, address) !== undefined;
      if (literalVerdicts.size >= 1000) literalVerdicts.clear();
      literalVerdicts.set(address, verdict);
    }
    return verdict;
  };
  const refused = (host: string, cause: unknown) =>
    new OutboundError("refused", host, `refusing to connect to ${host}: not an address providers may be at`, { cause });

  const answer: OutboundCall = (input, init = {}) => {
    const url = new URL(input);
    const host = url.host;
    if (!isPermittedProviderUrl(url, policy.allowInsecureLoopback)) {
      return Promise.reject(new OutboundError("insecure", host, `refusing to call ${url.protocol}//${host}: providers must use https`));
    }
    // A literal address is never looked up, so the dispatcher's lookup cannot judge it: judge it here.
    const hostname = url.hostname.replace(/^\[|\]$/g, "");
    if (isIP(hostname) && literalRefused(hostname)) return Promise.reject(refused(host, new ProviderAddressRefused(host)));
    const caller = init.signal ?? undefined;
    if (caller?.aborted) return Promise.reject(caller.reason);
    let body: ReturnType<typeof encodeBody>;
    try {
      body = encodeBody(init.body);
    } catch (error) {
      return Promise.reject(error);
    }

    return new Promise<OutboundAnswer>((resolve, reject) => {
      let settled = false;
      // The call's controller, once undici has written the request; a call ended before then is
      // aborted as soon as it is.
      let controller: Dispatcher.DispatchController | undefined;
      let ended: Error | undefined;
      // One deadline for the whole call (connect, answer, body), cleared as soon as it ends.
      const deadline = setTimeout(
        () => fail(new OutboundError("timeout", host, `${host} did not answer within ${policy.timeoutMs} ms`)),
        policy.timeoutMs,
      );
      const onCallerAbort = () => fail(caller!.reason);
      caller?.addEventListener("abort", onCallerAbort, { once: true });
      function finish() {
        settled = true;
        clearTimeout(deadline);
        caller?.removeEventListener("abort", onCallerAbort);
      }
      function fail(error: unknown) {
        if (settled) return;
        finish();
        ended = error instanceof Error ? error : new Error("call ended");
        controller?.abort(ended);
        reject(error);
      }
      const tooLarge = () => new OutboundError("too_large", host, `response from ${host} exceeds ${policy.maxResponseBytes} bytes`);
      let status = 0;
      let statusText = "";
      let headers: [string, string][] = [];
      const chunks: Buffer[] = [];
      let total = 0;

      const handler: Dispatcher.DispatchHandler = {
        onRequestStart(started) {
          controller = started;
          if (ended) started.abort(ended);
        },
        onResponseStart(_controller, statusCode, received, statusMessage) {
          if (statusCode < 200) return; // informational (1xx): the answer is still to come
          if (statusCode >= 300 && statusCode < 400)
            return fail(
              new OutboundError("redirect", host, `${host} answered with a redirect (${statusCode}); redirects are not followed`),
            );
          if (Number(received["content-length"] ?? "0") > policy.maxResponseBytes) return fail(tooLarge());
          status = statusCode;
          statusText = statusMessage ?? "";
          headers = responseHeaders(received);
        },
        onResponseData(_controller, chunk) {
          total += chunk.byteLength;
          if (total > policy.maxResponseBytes) fail(tooLarge());
          else chunks.push(chunk);
        },
        onResponseEnd() {
          if (settled) return;
          finish();
          // Buffer.concat makes a Buffer over an ArrayBuffer (never a SharedArrayBuffer).
          const payload = NULL_BODY.has(status) ? null : (Buffer.concat(chunks) as Uint8Array<ArrayBuffer>);
          resolve({ status, statusText, headers, body: payload });
        },
        onResponseError(_controller, error) {
          if (settled) return;
          if (findCause(error, ProviderAddressRefused)) return fail(refused(host, error));
          if (status !== 0) return fail(new OutboundError("unreachable", host, `${host} broke off its answer`, { cause: error }));
          const code = (error as NodeJS.ErrnoException).code;
          const reason = typeof code === "string" && /^E[A-Z_]{2,31}$/.test(code) ? code : undefined;
          fail(new OutboundError("unreachable", host, `${host} could not be reached${reason ? ` (${reason})` : ""}`, { cause: error }));
        },
      };
      try {
        dispatcher.dispatch(
          {
            origin: url.origin,
            path: url.pathname + url.search,
            method: (init.method ?? "GET") as Dispatcher.HttpMethod,
            headers: requestHeaders(init, body),
            body: body.content ?? null,
          },
          handler,
        );
      } catch (error) {
        fail(error); // a request undici refuses to send (a header it does not allow)
      }
    });
  };
  const fetch = async (input: string | URL, init?: OutboundInit): Promise<Response> => {
    const answered = await answer(input, init);
    try {
      return responseOf(answered);
    } catch (error) {
      const host = new URL(input).host;
      throw new OutboundError("unreachable", host, `${host} gave an answer that is not HTTP (${answered.status})`, { cause: error });
    }
  };
  return Object.assign(fetch, { answer });
}

/** The first error of `type` in an error's cause chain, the error itself first. */
function findCause<T extends Error>(error: unknown, type: abstract new (...args: never[]) => T): T | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current; depth++) {
    if (current instanceof type) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Finds an OutboundError anywhere in an error's cause chain. */
export function findOutboundError(error: unknown): OutboundError | undefined {
  return findCause(error, OutboundError);
}
