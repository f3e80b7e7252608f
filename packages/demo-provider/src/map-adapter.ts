/**
 * oidc-provider's storage adapter: a plain per-server Map (the built-in memory adapter is an LRU
 * capped at 1000 entries and is per Provider instance, which would not survive rotateKeys).
 */

export interface StoredEntry {
  payload: Record<string, unknown>;
  expiresAt: number; // epoch ms, Infinity when no expiry
}

export class MapAdapter {
  readonly #model: string;
  readonly #store: Map<string, StoredEntry>;

  constructor(model: string, store: Map<string, StoredEntry>) {
    this.#model = model;
    this.#store = store;
  }

  #key(id: string): string {
    return `${this.#model}:${id}`;
  }

  #get(key: string): StoredEntry | undefined {
    const entry = this.#store.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      this.#store.delete(key);
      return undefined;
    }
    return entry;
  }

  async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number): Promise<void> {
    const expiresAt = typeof expiresIn === "number" ? Date.now() + expiresIn * 1000 : Infinity;
    this.#store.set(this.#key(id), { payload: structuredClone(payload), expiresAt });
  }

  async find(id: string): Promise<Record<string, unknown> | undefined> {
    const entry = this.#get(this.#key(id));
    return entry ? structuredClone(entry.payload) : undefined;
  }

  async findByUid(uid: string): Promise<Record<string, unknown> | undefined> {
    return this.#findBy((p) => p.uid === uid);
  }

  async findByUserCode(userCode: string): Promise<Record<string, unknown> | undefined> {
    return this.#findBy((p) => p.userCode === userCode);
  }

  #findBy(pred: (p: Record<string, unknown>) => boolean): Record<string, unknown> | undefined {
    const prefix = `${this.#model}:`;
    for (const key of this.#store.keys()) {
      if (!key.startsWith(prefix)) continue;
      const entry = this.#get(key);
      if (entry && pred(entry.payload)) return structuredClone(entry.payload);
    }
    return undefined;
  }

  async consume(id: string): Promise<void> {
    const entry = this.#get(this.#key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.#store.delete(this.#key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const [key, entry] of this.#store) {
      if (entry.payload.grantId === grantId) this.#store.delete(key);
    }
  }
}
