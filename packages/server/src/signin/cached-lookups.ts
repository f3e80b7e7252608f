import type {
  AuthStepRepository,
  IdentityLinkRepository,
  OrganisationRepository,
  ProviderRepository,
  UserRepository,
} from "../domain/ports/repositories.ts";
import type { SamlProviderRepository } from "../domain/ports/saml-providers.ts";
import type { StoredChanges } from "../domain/ports/stored-changes.ts";

/**
 * Most entries each cache keeps (the least recently used go first): names and domains come from
 * unauthenticated requests, so it is bounded; it holds a few entries per organisation (by id, by
 * domain, its providers), enough for tens of thousands of organisations signing in at once.
 */
const MAX_ENTRIES = 100_000;

export interface LookupCacheOptions {
  /** How long an entry is used; 0 turns the cache off. Other instances' writes are seen within it. */
  readonly ttlMs: number;
  readonly now?: () => number;
  /**
   * What tells a remembered read is still current (SQLite's, store/sqlite-driver.ts, or PostgreSQL's
   * polled count, store/lookup-changes.ts): with it an entry is used until anything it may depend
   * on changes, by this process or another, instead of for `ttlMs`.
   */
  readonly changes?: StoredChanges;
}

/**
 * Remembered reads, each for `ttlMs` (or while the store is unchanged, given `changes`), at most
 * MAX_ENTRIES (the least recently used go first). Concurrent reads of one key share one load; a failed load is
 * not kept, nor is a load that a write overtook.
 */
export function ttlCache(options: LookupCacheOptions) {
  const now = options.now ?? Date.now;
  const changes = options.changes;
  const entries = new Map<string, { expires: number; value: Promise<unknown> }>();
  let generation = 0;
  let storedVersion = changes?.version();
  const forgetAll = () => {
    generation += 1;
    entries.clear();
  };
  return {
    read<V>(key: string, load: () => Promise<V>): Promise<V> {
      if (options.ttlMs <= 0) return load();
      if (changes) {
        const version = changes.version();
        if (version !== storedVersion) {
          storedVersion = version;
          forgetAll();
        }
      }
      const t = now();
      const hit = entries.get(key);
      entries.delete(key);
      if (hit && (changes !== undefined || hit.expires > t)) {
        entries.set(key, hit); // now the most recently used
        return hit.value as Promise<V>;
      }
      if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
      const started = generation;
      const entry = { expires: t + options.ttlMs, value: load() as Promise<unknown> };
      entries.set(key, entry);
      const forget = () => {
        if (entries.get(key) === entry) entries.delete(key);
      };
      entry.value.then(
        () => (generation !== started || (changes !== undefined && changes.version() !== storedVersion)) && forget(),
        forget,
      );
      return entry.value as Promise<V>;
    },
    /** Waits for a write, then forgets: every later read loads again, and no read the write overtook is kept. */
    async afterWrite<T>(write: Promise<T>): Promise<T> {
      try {
        return await write;
      } finally {
        forgetAll();
      }
    },
  };
}

/**
 * The provider repository with `configured` (and `list`) remembered: its settings parsed and its secret opened
 * once per provider and period, not on every sign-in. Writes through it (the admin API of this
 * instance) forget everything at once; writes by another instance are seen within `ttlMs`. The
 * same object is answered while remembered, which lets the provider connection be reused too.
 */
export function cachedProviders(repository: ProviderRepository, options: LookupCacheOptions): ProviderRepository {
  const cache = ttlCache(options);
  return {
    put: (orgId, settings, clientSecret, replacement, nextClientSecret) =>
      cache.afterWrite(repository.put(orgId, settings, clientSecret, replacement, nextClientSecret)),
    promoteSecret: (orgId, name) => cache.afterWrite(repository.promoteSecret(orgId, name)),
    remove: (orgId, name) => cache.afterWrite(repository.remove(orgId, name)),
    view: (orgId, name) => repository.view(orgId, name),
    // initAuth lists an organisation's providers on every sign-in.
    list: (orgId) => cache.read(`list\n${orgId}`, () => repository.list(orgId)),
    listEverywhere: () => repository.listEverywhere(),
    configured: (orgId, name) => cache.read(`${orgId}\n${name}`, () => repository.configured(orgId, name)),
  };
}

/**
 * The SAML provider repository with `configured` and `list` remembered the same way: authorize and
 * the exchange ask for every provider name whether it is a SAML one, and initAuth lists them. Writes
 * through it (the admin API, the metadata watch of this instance) forget everything at once.
 */
export function cachedSamlProviders(repository: SamlProviderRepository, options: LookupCacheOptions): SamlProviderRepository {
  const cache = ttlCache(options);
  return {
    put: (orgId, settings, replacement) => cache.afterWrite(repository.put(orgId, settings, replacement)),
    remove: (orgId, name) => cache.afterWrite(repository.remove(orgId, name)),
    updateIdp: (orgId, name, expected, after) => cache.afterWrite(repository.updateIdp(orgId, name, expected, after)),
    view: (orgId, name) => repository.view(orgId, name),
    list: (orgId) => cache.read(`list\n${orgId}`, () => repository.list(orgId)),
    listEverywhere: () => repository.listEverywhere(),
    configured: (orgId, name) => cache.read(`${orgId}\n${name}`, () => repository.configured(orgId, name)),
    protocolOf: (orgId, name) => repository.protocolOf(orgId, name),
  };
}

/**
 * The organisation repository with the sign-in's lookups remembered (by id, by domain, the
 * first few): every write through it (create, rename, domains, remove) forgets them; another
 * instance's are seen within `ttlMs`.
 */
export function cachedOrganisations(repository: OrganisationRepository, options: LookupCacheOptions): OrganisationRepository {
  const cache = ttlCache(options);
  return {
    create: (name, domains) => cache.afterWrite(repository.create(name, domains)),
    get: (id) => cache.read(`id\n${id}`, () => repository.get(id)),
    list: (limit) => cache.read(`list\n${limit}`, () => repository.list(limit)),
    findByDomain: (domain) => cache.read(`domain\n${domain.toLowerCase()}`, () => repository.findByDomain(domain)),
    rename: (id, name) => cache.afterWrite(repository.rename(id, name)),
    addDomain: (id, domain) => cache.afterWrite(repository.addDomain(id, domain)),
    verifyDomain: (id, domain, at) => cache.afterWrite(repository.verifyDomain(id, domain, at)),
    removeDomain: (id, domain) => cache.afterWrite(repository.removeDomain(id, domain)),
    remove: (id) => cache.afterWrite(repository.remove(id)),
  };
}

/**
 * The organisations' sign-in steps, read by initAuth and by every authenticate, remembered the
 * same way: writes through it forget them; another instance's are seen within `ttlMs`.
 */
export function cachedAuthSteps(repository: AuthStepRepository, options: LookupCacheOptions): AuthStepRepository {
  const cache = ttlCache(options);
  return {
    get: (orgId) => cache.read(orgId, () => repository.get(orgId)),
    put: (orgId, steps) => cache.afterWrite(repository.put(orgId, steps)),
  };
}

/**
 * The user reads every sign-in step makes (by email: which organisation an email signs in to; by
 * provider and subject: whose identity this is), remembered while the store is unchanged. Only
 * over a store that tells every change at once, this process's and others' (`changes.exact`, SQLite): a user
 * disabled anywhere must be refused at the next sign-in, so without it every read goes to the store.
 */
export function cachedUserLookups(
  users: UserRepository,
  links: IdentityLinkRepository,
  options: LookupCacheOptions,
): { readonly users: UserRepository; readonly links: IdentityLinkRepository } {
  if (!options.changes?.exact) return { users, links };
  const cache = ttlCache(options);
  return {
    users: { ...users, findByEmail: (email) => cache.read(`email\n${email.toLowerCase()}`, () => users.findByEmail(email)) },
    links: {
      ...links,
      userFor: (providerId, subject) => cache.read(`link\n${providerId}\n${subject}`, () => links.userFor(providerId, subject)),
    },
  };
}
