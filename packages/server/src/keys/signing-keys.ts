import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import type { Db } from "../store/database.ts";
import type { SigningKeysTable } from "../store/schema.ts";
import type { SecretBox } from "./secret-box.ts";

/** A published verification key: public parts only. */
export interface PublicSigningJwk {
  readonly kty: "EC";
  readonly crv: "P-256";
  readonly x: string;
  readonly y: string;
  readonly kid: string;
  readonly alg: "ES256";
  readonly use: "sig";
}

/**
 * The service's own ES256 signing keys, shared by every instance through the database.
 * The active key is the newest un-retired one; a retired key stays published (and accepted for
 * verification) until every token it can have signed has expired.
 */
export interface SigningKeys {
  /** The key new tokens are signed with; one is created when there is none. */
  signingKey(): Promise<{ kid: string; key: CryptoKey }>;
  /**
   * The public key for `kid` while it is published; undefined otherwise. An unknown kid re-reads
   * the database once (another instance may have rotated), at most once a second.
   */
  verificationKey(kid: string): Promise<CryptoKey | undefined>;
  /** The published keys, newest first (the active one is created first when there is none). */
  jwks(): Promise<{ keys: PublicSigningJwk[] }>;
  /** Creates a new key, makes it active and retires every other un-retired key. */
  rotate(): Promise<{ kid: string }>;
  /** Re-reads the keys from the database now. */
  reload(): Promise<void>;
}

export interface SigningKeysOptions {
  readonly db: Db;
  readonly secrets: SecretBox;
  /** The longest lifetime of a token these keys sign: how long a retired key stays published. */
  readonly refreshTokenTtlSeconds: number;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
  /** How long the in-memory copy of the keys is trusted before re-reading the database. */
  readonly cacheMs?: number;
  /** Least time between two reloads forced by an unknown kid. */
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

function publicPart(jwk: JWK, kid: string): PublicSigningJwk {
  if (jwk.kty !== "EC" || jwk.crv !== "P-256" || typeof jwk.x !== "string" || typeof jwk.y !== "string") {
    throw new Error(`signing key ${kid} is not a P-256 key`);
  }
  return { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y, kid, alg: ALG, use: "sig" };
}

export function createSigningKeys(options: SigningKeysOptions): SigningKeys {
  const { db, secrets } = options;
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
    const rows: SigningKeysTable[] = await db
      .selectFrom("signing_keys")
      .selectAll()
      .where((eb) => eb.or([eb("retired_at", "is", null), eb("retired_at", ">", oldestRetirement)]))
      .orderBy("created_at", "desc")
      .orderBy("kid", "desc")
      .execute();
    const previous = new Map((snapshot?.keys ?? []).map((k) => [k.kid, k]));
    const keys = rows.map((row): LoadedKey => {
      const known = previous.get(row.kid);
      const key: LoadedKey = { kid: row.kid, publicJwk: publicPart(JSON.parse(row.public_jwk) as JWK, row.kid), sealed: row.private_jwk_sealed, createdAt: row.created_at, retiredAt: row.retired_at };
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

  async function current(): Promise<Snapshot> {
    if (snapshot && now() - snapshot.loadedAt < cacheMs) return snapshot;
    return reload();
  }

  async function createKey(): Promise<SigningKeysTable> {
    const { publicKey, privateKey } = await generateKeyPair(ALG, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk, "sha256");
    const privateJwk = await exportJWK(privateKey);
    return {
      kid,
      public_jwk: JSON.stringify(publicPart(publicJwk, kid)),
      private_jwk_sealed: secrets.seal(JSON.stringify({ ...privateJwk, kid, alg: ALG }), kid),
      created_at: new Date(now()).toISOString(),
      retired_at: null,
    };
  }

  const activeOf = (snap: Snapshot) => snap.keys.find((k) => k.retiredAt === null);

  async function privateKeyOf(key: LoadedKey): Promise<CryptoKey> {
    key.privateKey ??= (await importJWK(JSON.parse(secrets.open(key.sealed, key.kid)) as JWK, ALG)) as CryptoKey;
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
        await db.insertInto("signing_keys").values(await createKey()).execute();
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
      if (!key && KID_SHAPE.test(kid) && now() - snap.loadedAt >= minForcedReloadMs) {
        snap = await reload();
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

    async rotate() {
      const row = await createKey();
      await db.transaction().execute(async (trx) => {
        await trx.insertInto("signing_keys").values(row).execute();
        await trx.updateTable("signing_keys").set({ retired_at: row.created_at }).where("retired_at", "is", null).where("kid", "!=", row.kid).execute();
      });
      await reload(true);
      return { kid: row.kid };
    },

    async reload() {
      await reload(true);
    },
  };
}
