#!/usr/bin/env node
// The admin CLI. Plain JavaScript so that any Node can start it: the launcher checks the Node
// version (installing Node 24 into .tools when it is too old) before the TypeScript is loaded.
import { launch } from "../../../scripts/launch.mjs";

await launch("cli", process.argv.slice(2));
