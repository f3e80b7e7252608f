/** Where the data lives: an SQLite file (or `:memory:`), or a PostgreSQL server. */
export type DatabaseLocation = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };
