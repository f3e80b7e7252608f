#!/usr/bin/env node
// The admin CLI; Node >= 22.18 runs its TypeScript directly (type stripping).
import "../src/cli/main.ts";
