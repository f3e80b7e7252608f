/**
 * The one place that loads `oidc-provider`, with a minimal structural typing of the parts of it
 * used here (the package ships no type declarations).
 */
import type { IncomingMessage, ServerResponse } from "node:http";

export interface OidcInteraction {
  uid: string;
  prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
  params: Record<string, unknown>;
  grantId?: string;
  session?: { accountId?: string };
}

export interface OidcGrant {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  addResourceScope(indicator: string, scope: string): void;
  save(): Promise<string>;
}

interface OidcAccessToken {
  accountId: string;
  clientId: string;
  scope?: string;
  isExpired: boolean;
}

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface OidcProvider {
  callback(): NodeHandler;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<OidcInteraction>;
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: Record<string, unknown>,
    opts?: { mergeWithLastSubmission?: boolean },
  ): Promise<void>;
  Grant: {
    new (init: { accountId: string; clientId: string }): OidcGrant;
    find(id: string): Promise<OidcGrant | undefined>;
  };
  AccessToken: { find(token: string): Promise<OidcAccessToken | undefined> };
  on(event: string, listener: (...args: unknown[]) => void): void;
}

export type OidcProviderCtor = new (issuer: string, configuration: Record<string, unknown>) => OidcProvider;

// A non-literal specifier keeps TypeScript from demanding declarations for the untyped package.
const OIDC_PROVIDER_MODULE: string = "oidc-provider";
let providerCtor: Promise<OidcProviderCtor> | undefined;
/** oidc-provider's Provider class, imported on first use (importing this package loads nothing). */
export function loadProviderCtor(): Promise<OidcProviderCtor> {
  providerCtor ??= import(OIDC_PROVIDER_MODULE).then((m: { default: OidcProviderCtor }) => m.default);
  return providerCtor;
}
