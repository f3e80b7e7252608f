import { newOpaqueToken, tokenHash } from "../domain/ids.ts";
import type { ShortLivedState } from "../domain/ports/short-lived-state.ts";

/** A sign-in in progress, between initAuth and the last authenticate step. */
export interface AuthSession {
  readonly email: string | null;
  readonly orgId: string | null;
  /** Index into the organisation's auth steps. */
  readonly currentStep: number;
  /** The user the first completed step proved; later steps must prove the same one. */
  readonly userId: string | null;
  /** Provider and nonce of an authorization request started under this session. */
  readonly provider: string | null;
  readonly nonce: string | null;
}

export const AUTH_SESSION_TTL_MS = 30 * 60 * 1000;

/** Only a hash of a bearer value is used as a key, so shared state never holds the value itself. */
export function stateKey(kind: string, token: string): string {
  return `${kind}:${tokenHash(token)}`;
}

export function authSessions(state: ShortLivedState) {
  return {
    async create(session: AuthSession): Promise<string> {
      const token = newOpaqueToken();
      await state.set(stateKey("session", token), JSON.stringify(session), AUTH_SESSION_TTL_MS);
      return token;
    },
    async load(token: string): Promise<AuthSession | undefined> {
      const raw = await state.get(stateKey("session", token));
      return raw === undefined ? undefined : (JSON.parse(raw) as AuthSession);
    },
    async save(token: string, session: AuthSession): Promise<void> {
      await state.set(stateKey("session", token), JSON.stringify(session), AUTH_SESSION_TTL_MS);
    },
    async end(token: string): Promise<void> {
      await state.delete(stateKey("session", token));
    },
  };
}

export type AuthSessions = ReturnType<typeof authSessions>;
