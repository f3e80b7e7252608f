/**
 * The `pipeshub` SDK, from its TypeScript source in this repository. The package's `exports`
 * point to its built `dist/`, which a plain `npm ci` does not build; its `src/index.ts`,
 * imported by path, needs no build since Node strips the types itself. Every CLI module takes
 * the SDK from this file, so moving to the built package is a one-line change here
 * (package.json already declares the dependency on `pipeshub`).
 */
export * from "../../sdk/src/index.ts";
