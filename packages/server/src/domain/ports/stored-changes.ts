/**
 * When what is stored may have changed under a remembered read: `version()` moves on after every
 * write that may change what a lookup remembers, this process's or another's, so a cache that keeps
 * the version it loaded at can tell a copy that is still current without asking the database.
 */
export interface StoredChanges {
  version(): number;
  /**
   * Whether every change is seen at once (SQLite: this process's writes and others' commits), so a
   * remembered read is never stale; otherwise changes by other instances are seen within a period.
   */
  readonly exact: boolean;
}
