/**
 * In-memory implementations of the domain's ports, for tests of the signin/ and admin/ rules
 * that start no service: small and honest, each held to the real repository's behaviour by the
 * contract checks in test/store/fakes-contract.test.ts. Short-lived state needs no fake: the real
 * one lives in memory (state/memory-state.ts) and takes a clock.
 */
import { newId } from "../../src/domain/ids.ts";
import type { AuditEvent, AuditFilter, AuditRecord } from "../../src/domain/audit.ts";
import type { Clock, TimerHandle } from "../../src/domain/ports/clock.ts";
import type { Organisation } from "../../src/domain/organisation.ts";
import {
  AlreadyExistsError,
  type AuditTrail,
  type IdentityLinkRepository,
  type LinkOutcome,
  type OrganisationRepository,
  type ProviderRepository,
  type UserRepository,
} from "../../src/domain/ports/repositories.ts";
import type { ConfiguredProvider } from "../../src/domain/provider-settings.ts";
import type { User } from "../../src/domain/user.ts";

/** A clock that moves only when told: timers fire as `advance` passes their time. */
export interface ManualClock extends Clock {
  /**
   * Moves time forward by `ms`, firing each timer that falls due in order (at its own time), and
   * lets the work each one starts run to its next wait on something outside the process.
   */
  advance(ms: number): Promise<void>;
}

/** Lets queued promise callbacks and immediates run: what a fired timer started gets going. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export function manualClock(start = Date.UTC(2030, 0, 1)): ManualClock {
  let now = start;
  let nextId = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: ManualClock = {
    now: () => now,
    setTimeout(fn, ms): TimerHandle {
      nextId += 1;
      timers.set(nextId, { at: now + Math.max(0, ms), fn });
      return { timer: nextId };
    },
    clearTimeout(handle) {
      timers.delete(handle.timer as number);
    },
    async advance(ms) {
      const until = now + ms;
      for (;;) {
        // The earliest due timer, the first set among equals (as Node orders them).
        let due: [number, { at: number; fn: () => void }] | undefined;
        for (const entry of timers) if (entry[1].at <= until && (!due || entry[1].at < due[1].at)) due = entry;
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
        await settle();
      }
      now = until;
      await settle();
    },
  };
  return clock;
}

const isoAt = () => new Date().toISOString();

/** Organisations in a list; domains lower-cased and unique across organisations. */
export function memoryOrganisations(): OrganisationRepository {
  const organisations: Organisation[] = [];
  return {
    async create(name, domains) {
      const normalised = [...new Set(domains.map((d) => d.toLowerCase()))].sort();
      if (organisations.some((o) => o.domains.some((d) => normalised.includes(d)))) {
        throw new AlreadyExistsError("a domain is already claimed");
      }
      const org: Organisation = { id: newId(), name, domains: normalised, createdAt: isoAt() };
      organisations.push(org);
      return org;
    },
    async get(id) {
      return organisations.find((o) => o.id === id);
    },
    async list(limit = 1000) {
      return organisations.slice(0, limit);
    },
    async findByDomain(domain) {
      return organisations.find((o) => o.domains.includes(domain.toLowerCase()));
    },
    async rename(id, name) {
      const index = organisations.findIndex((o) => o.id === id);
      if (index < 0) return undefined;
      organisations[index] = { ...organisations[index]!, name };
      return organisations[index];
    },
    async addDomain(id, domain) {
      const index = organisations.findIndex((o) => o.id === id);
      if (index < 0) return undefined;
      const normalised = domain.toLowerCase();
      if (organisations.some((o) => o.domains.includes(normalised))) throw new AlreadyExistsError("the domain is already claimed");
      organisations[index] = { ...organisations[index]!, domains: [...organisations[index]!.domains, normalised].sort() };
      return organisations[index];
    },
    // The fakes hold verified domains only (pending claims are the SQL store's): verifying finds what is there.
    async verifyDomain(id, domain) {
      return organisations.find((o) => o.id === id)?.domains.includes(domain.toLowerCase()) ? "verified" : "absent";
    },
    async removeDomain(id, domain) {
      const index = organisations.findIndex((o) => o.id === id);
      const normalised = domain.toLowerCase();
      if (index < 0 || !organisations[index]!.domains.includes(normalised)) return false;
      organisations[index] = { ...organisations[index]!, domains: organisations[index]!.domains.filter((d) => d !== normalised) };
      return true;
    },
    // Only the organisation: the fakes' other repositories stand alone (the SQL store deletes what names it).
    async remove(id) {
      const index = organisations.findIndex((o) => o.id === id);
      if (index < 0) return false;
      organisations.splice(index, 1);
      return true;
    },
  };
}

/** Users in a list, oldest first; an email unique per organisation, case-insensitively. */
export function memoryUsers(): UserRepository {
  const users: User[] = [];
  const sameEmail = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const repository: UserRepository = {
    async create(orgId, email, fullName, role = "member") {
      if (users.some((u) => u.orgId === orgId && sameEmail(u.email, email))) throw new AlreadyExistsError("a user with this email");
      const user: User = { id: newId(), orgId, email, fullName, status: "active", role, createdAt: isoAt() };
      users.push(user);
      return user;
    },
    async createOrGet(orgId, email, fullName) {
      return (await repository.findInOrganisation(orgId, email)) ?? repository.create(orgId, email, fullName);
    },
    async get(id) {
      return users.find((u) => u.id === id);
    },
    async findInOrganisation(orgId, email) {
      return users.find((u) => u.orgId === orgId && sameEmail(u.email, email));
    },
    async findByEmail(email) {
      return users.filter((u) => sameEmail(u.email, email)).slice(0, 50);
    },
    async list(orgId, limit = 100) {
      return users.filter((u) => u.orgId === orgId).slice(0, limit);
    },
    async update(orgId, id, changes) {
      const index = users.findIndex((u) => u.orgId === orgId && u.id === id);
      if (index < 0) return undefined;
      const updated: User = {
        ...users[index]!,
        ...(changes.role !== undefined && { role: changes.role }),
        ...(changes.status !== undefined && { status: changes.status }),
      };
      users[index] = updated;
      return updated;
    },
  };
  return repository;
}

/**
 * The organisations' providers as the sign-in reads them (`configured`), added ready-made: the
 * rules never write providers. `add` stands in for the admin API's put.
 */
export interface MemoryProviders extends Pick<ProviderRepository, "configured" | "remove"> {
  add(provider: ConfiguredProvider): void;
  /** The organisation and name of the provider with this id. */
  nameOf(providerId: string): { orgId: string; name: string } | undefined;
}

export function memoryProviders(): MemoryProviders {
  const providers = new Map<string, ConfiguredProvider>();
  const key = (orgId: string, name: string) => `${orgId}\n${name}`;
  return {
    add(provider) {
      providers.set(key(provider.orgId, provider.settings.providerName), provider);
    },
    async configured(orgId, name) {
      return providers.get(key(orgId, name));
    },
    async remove(orgId, name) {
      return providers.delete(key(orgId, name));
    },
    nameOf(providerId) {
      const found = [...providers.values()].find((p) => p.id === providerId);
      return found && { orgId: found.orgId, name: found.settings.providerName };
    },
  };
}

/**
 * (provider, subject) → user links, unique both ways per provider, over a user repository.
 * `providers` names them for `identitiesOf` and `unlink` (the real one joins the providers table).
 */
export function memoryLinks(users: UserRepository, providers: Pick<MemoryProviders, "nameOf">): IdentityLinkRepository {
  const providerNames = (providerId: string) => providers.nameOf(providerId);
  const links: { orgId: string; providerId: string; subject: string; userId: string; linkedAt: string }[] = [];
  const userFor = async (providerId: string, subject: string) => {
    const found = links.find((l) => l.providerId === providerId && l.subject === subject);
    return found && users.get(found.userId);
  };
  async function link(orgId: string, providerId: string, subject: string, user: User): Promise<LinkOutcome> {
    const taken = links.some((l) => l.providerId === providerId && (l.subject === subject || l.userId === user.id));
    if (!taken) links.push({ orgId, providerId, subject, userId: user.id, linkedAt: isoAt() });
    const holder = await userFor(providerId, subject);
    return holder?.id === user.id ? { kind: "linked", user: holder, made: !taken } : { kind: "conflict" };
  }
  return {
    userFor,
    async subjectOf(providerId, userId) {
      return links.find((l) => l.providerId === providerId && l.userId === userId)?.subject;
    },
    async hasIdentity(userId) {
      return links.some((l) => l.userId === userId);
    },
    async identitiesOf(userId) {
      return links
        .filter((l) => l.userId === userId)
        .flatMap((l) => {
          const provider = providerNames(l.providerId);
          return provider ? [{ provider: provider.name, subject: l.subject, linkedAt: l.linkedAt }] : [];
        })
        .sort((a, b) => a.provider.localeCompare(b.provider));
    },
    async unlink(orgId, userId, providerName) {
      const index = links.findIndex((l) => {
        const provider = providerNames(l.providerId);
        return l.userId === userId && provider?.orgId === orgId && provider.name === providerName;
      });
      if (index < 0) return undefined;
      return links.splice(index, 1)[0]!.subject;
    },
    link,
    async provisionAndLink(orgId, providerId, subject, email, fullName) {
      return link(orgId, providerId, subject, await users.createOrGet(orgId, email, fullName));
    },
  };
}

/** The audit trail as a list: `records` is every record, oldest first. */
export interface MemoryAuditTrail extends Pick<AuditTrail, "record" | "page"> {
  readonly records: readonly AuditRecord[];
}

export function memoryAuditTrail(): MemoryAuditTrail {
  const records: AuditRecord[] = [];
  const matches = (r: AuditRecord, filter: AuditFilter) =>
    (filter.outcome === undefined || r.outcome === filter.outcome) &&
    (filter.provider === undefined || r.provider === filter.provider) &&
    (filter.event === undefined || r.event === filter.event) &&
    (filter.actor === undefined || r.actor === filter.actor) &&
    (filter.email === undefined || r.email?.toLowerCase() === filter.email.toLowerCase());
  return {
    records,
    async record(event: AuditEvent) {
      records.push({ ...event, id: newId(), createdAt: isoAt(), actor: event.actor ?? null, changes: event.changes ?? null });
    },
    async page(orgId, limit, cursor, filter = {}) {
      const found = records
        .filter((r) => r.orgId === orgId && (cursor === undefined || r.id < cursor) && matches(r, filter))
        .sort((a, b) => (a.id < b.id ? 1 : -1));
      const page = found.slice(0, limit);
      return { records: page, nextCursor: found.length > limit ? (page.at(-1)?.id ?? null) : null };
    },
  };
}

/** Every port a sign-in rule reads, in memory, wired to one another. */
export function memoryPorts() {
  const organisations = memoryOrganisations();
  const users = memoryUsers();
  const providers = memoryProviders();
  const audit = memoryAuditTrail();
  const links = memoryLinks(users, providers);
  return { organisations, users, providers, links, audit };
}
