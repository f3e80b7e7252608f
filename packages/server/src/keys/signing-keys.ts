import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import type { PublicSigningJwk, SecretBox, SigningKeys } from "../domain/ports/keys.ts";
import type { SigningKeyRepository, StoredSigningKey } from "../domain/ports/repositories.ts";

/** Where the keys are kept, how they are sealed, and how long they are trusted in memory. */
export interface SigningKeysOptions {
  /** Where the keys are shared between instances. */
  readonly repository: SigningKeyRepository;
  readonly secrets: SecretBox;
  /** The longest lifetime of a token these keys sign: how long a retired key stays published. */
  readonly refreshTokenTtlSeconds: number;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
  /** How long the in-memory copy of the keys is trusted before re-reading the database. */
  readonly cacheMs?: number;
  /** Least time between two reloads forced by an unknown kid (the first one is never delayed). */
  readonly minForcedReloadMs?: number;
}

interface LoadedKey {
  readonly kid: string;
  readonly publicJwk: PublicSigningJwk;
  readonly sealed: string;
  readonly createdAt: string;
  readonly retiredAt: string | null;
  publicKey?: CryptoKey;
  privateKey?: CryptoKey;
}

interface Snapshot {
  readonly loadedAt: number;
  /** Which read produced it: the order reads started in. */
  readonly sequence: number;
  /** Published keys, newest first. */
  readonly keys: readonly LoadedKey[];
}

const ALG = "ES256";
/** RFC 7638 SHA-256 thumbprints, base64url: the only kids this service mints. */
const KID_SHAPE = /^[A-Za-z0-9_-]{43}$/;

function publicPart(jwk: Readonly<JWK>, kid: string): PublicSigningJwk {
  if (jwk.kty !== "EC" || jwk.crv !== "P-256" || typeof jwk.x !== "string" || typeof jwk.y !== "string") {
    throw new Error(`signing key ${kid} is not a P-256 key`);
  }
  return { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y, kid, alg: ALG, use: "sig" };
}

/**
 * The service's own ES256 signing keys (RFC 7518 §3.4), kid = RFC 7638 thumbprint, private
 * halves sealed with the kid as context. A short-lived in-memory copy spares a read per token.
 */
export function createSigningKeys(options: SigningKeysOptions): SigningKeys {
  const { repository, secrets } = options;
  const now = options.now ?? Date.now;
  const cacheMs = options.cacheMs ?? 30_000;
  const minForcedReloadMs = options.minForcedReloadMs ?? 1_000;
  // An instance may keep signing with a key for up to `cacheMs` after another one retired it,
  // so a retired key stays published for the token lifetime plus that window.
  const publishedForMs = options.refreshTokenTtlSeconds * 1000 + cacheMs;

  let snapshot: Snapshot | undefined;
  let loading: Promise<Snapshot> | undefined;
  let creating: Promise<Snapshot> | undefined;

  const isPublished = (key: { retiredAt: string | null }, at: number) =>
    key.retiredAt === null || Date.parse(key.retiredAt) + publishedForMs > at;

  async function load(): Promise<Omit<Snapshot, "sequence">> {
    const loadedAt = now();
    const oldestRetirement = new Date(loadedAt - publishedForMs).toISOString();
    const stored = await repository.published(oldestRetirement);
    const previous = new Map((snapshot?.keys ?? []).map((k) => [k.kid, k]));
    const keys = stored.map((row): LoadedKey => {
      const known = previous.get(row.kid);
      const key: LoadedKey = {
        kid: row.kid,
        publicJwk: publicPart(row.publicJwk as JWK, row.kid),
        sealed: row.privateJwkSealed,
        createdAt: row.createdAt,
        retiredAt: row.retiredAt,
      };
      // Imported CryptoKeys survive reloads; the rows' retirement state is always the fresh one.
      if (known?.publicKey) key.publicKey = known.publicKey;
      if (known?.privateKey) key.privateKey = known.privateKey;
      return key;
    });
    return { loadedAt, keys };
  }

  let loads = 0;

  /**
   * Re-reads the keys. Concurrent callers share one read, unless `fresh` asks for a read that
   * starts now (after a write of ours); an older read never replaces a newer snapshot.
   */
  function reload(fresh = false): Promise<Snapshot> {
    if (loading && !fresh) return loading;
    const sequence = ++loads;
    const started = load().then((loaded) => {
      if (!snapshot || sequence > snapshot.sequence) snapshot = { ...loaded, sequence };
      return snapshot;
    });
    const settle = () => {
      if (loading === started) loading = undefined;
    };
    started.then(settle, settle);
    loading = started;
    return started;
  }

  let forced: { readonly at: number; readonly read: Promise<Snapshot> } | undefined;

  /**
   * A read that starts now, because a token names a kid this copy does not know: another
   * instance may just have rotated. At most one per `minForcedReloadMs`; callers within that
   * window share the last one (and see whatever newer snapshot has arrived since).
   */
  async function forcedReload(): Promise<Snapshot> {
    if (!forced || now() - forced.at >= minForcedReloadMs) forced = { at: now(), read: reload(true) };
    const read = await forced.read;
    return snapshot && snapshot.sequence > read.sequence ? snapshot : read;
  }

  async function current(): Promise<Snapshot> {
    if (snapshot && now() - snapshot.loadedAt < cacheMs) return snapshot;
    return reload();
  }

  async function createKey(): Promise<StoredSigningKey> {
    const { publicKey, privateKey } = await generateKeyPair(ALG, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk, "sha256");
    const privateJwk = await exportJWK(privateKey);
    return {
      kid,
      publicJwk: { ...publicPart(publicJwk, kid) },
      privateJwkSealed: secrets.seal(JSON.stringify({ ...privateJwk, kid, alg: ALG }), kid),
      createdAt: new Date(now()).toISOString(),
      retiredAt: null,
    };
  }

  const activeOf = (snap: Snapshot) => snap.keys.find((k) => k.retiredAt === null);

  async function privateKeyOf(key: LoadedKey): Promise<CryptoKey> {
    // Extractable in memory only, so service-jwt.ts can sign with its node:crypto KeyObject (domain/compact-jws.ts).
    key.privateKey ??= (await importJWK(JSON.parse(secrets.open(key.sealed, key.kid)) as JWK, ALG, { extractable: true })) as CryptoKey;
    return key.privateKey;
  }

  async function publicKeyOf(key: LoadedKey): Promise<CryptoKey> {
    key.publicKey ??= (await importJWK({ ...key.publicJwk }, ALG)) as CryptoKey;
    return key.publicKey;
  }

  /** The active key and the snapshot it is in; creates one when there is none. */
  async function ensureActive(): Promise<{ active: LoadedKey; snap: Snapshot }> {
    let snap = await current();
    let active = activeOf(snap);
    if (!active) {
      // Concurrent callers here share one creation. Two instances starting at once may each
      // create one; both are published, and the newer wins.
      creating ??= (async () => {
        await repository.add(await createKey());
        return reload(true);
      })().finally(() => {
        creating = undefined;
      });
      snap = await creating;
      active = activeOf(snap);
      if (!active) throw new Error("no active signing key after creating one");
    }
    return { active, snap };
  }

  return {
    async signingKey() {
      const { active } = await ensureActive();
      return { kid: active.kid, key: await privateKeyOf(active) };
    },

    async verificationKey(kid) {
      let snap = await current();
      let key = snap.keys.find((k) => k.kid === kid);
      if (!key && KID_SHAPE.test(kid)) {
        snap = await forcedReload();
        key = snap.keys.find((k) => k.kid === kid);
      }
      if (!key || !isPublished(key, now())) return undefined;
      return publicKeyOf(key);
    },

    async jwks() {
      // Never an empty set: publishing the key before its first token saves verifiers a refetch.
      const { snap } = await ensureActive();
      const at = now();
      return { keys: snap.keys.filter((k) => isPublished(k, at)).map((k) => ({ ...k.publicJwk })) };
    },

    async list() {
      // Read now: another instance may have rotated since this copy was taken.
      await reload(true);
      const { active, snap } = await ensureActive();
      const at = now();
      return snap.keys
        .filter((k) => isPublished(k, at))
        .map((k) => ({ kid: k.kid, alg: ALG, createdAt: k.createdAt, retiredAt: k.retiredAt, current: k.kid === active.kid }));
    },

    async rotate() {
      const key = await createKey();
      await repository.rotateTo(key);
      await reload(true);
      return { kid: key.kid };
    },

    async reload() {
      await reload(true);
    },
  };
}
