/**
 * When what is stored may have changed under a remembered read: `version()` moves on after every
 * write that may change what a lookup remembers, this process's or another's, so a cache that keeps
 * the version it loaded at can tell a copy that is still current without asking the database.
 */
export interface StoredChanges {
  version(): number;
}
