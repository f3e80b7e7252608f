/**
 * The `pipeshub` SDK, taken from its source in this repository. The package's `exports` name
 * its built `dist/`, which a plain `npm ci` does not build, and Node strips types from `.ts`
 * files loaded by path; so the CLI imports the SDK through this one file, by path, and runs
 * straight after `npm ci`. package.json still declares the dependency on `pipeshub`.
 */
export * from "../../sdk/src/index.ts";
