/** The provider's users: who can sign in, and the claims oidc-provider puts into tokens. */
import { timingSafeEqual } from "node:crypto";
import type { ProviderUser } from "./types.ts";

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class Accounts {
  readonly #users = new Map<string, ProviderUser>();

  constructor(users: readonly ProviderUser[]) {
    for (const u of users) this.set(u);
  }

  set(u: ProviderUser): void {
    this.#users.set(u.sub, { ...u });
  }

  delete(sub: string): void {
    this.#users.delete(sub);
  }

  get(sub: string): ProviderUser | undefined {
    return this.#users.get(sub);
  }

  /** The user a login names: by subject, else by email (case-insensitive). */
  byLogin(login: string): ProviderUser | undefined {
    const bySub = this.#users.get(login);
    if (bySub) return bySub;
    const email = login.trim().toLowerCase();
    for (const u of this.#users.values()) if (u.email.toLowerCase() === email) return u;
    return undefined;
  }

  /** The user a login form names, when its password matches (a user without one needs none). */
  authenticate(login: string, password: string): ProviderUser | undefined {
    const user = this.byLogin(login);
    if (!user || (user.password !== undefined && !sameSecret(password, user.password))) return undefined;
    return user;
  }

  /** oidc-provider's `findAccount`. */
  readonly findAccount = async (_ctx: unknown, sub: string) => {
    if (!this.#users.has(sub)) return undefined;
    const users = this.#users;
    return {
      accountId: sub,
      // Claims are read at the time a token is minted, so setUser() changes show up in later tokens.
      async claims() {
        const u = users.get(sub);
        if (!u) return { sub };
        return { sub: u.sub, email: u.email, email_verified: u.email_verified, ...(u.name !== undefined ? { name: u.name } : {}) };
      },
    };
  };
}
