#!/usr/bin/env node
// The `rivulet` command. Node >= 24 runs the TypeScript sources directly (type stripping).
// Node's on-disk compile cache (NODE_COMPILE_CACHE, else <os tmpdir>/node-compile-cache)
// keeps the stripped and compiled modules, so later runs start ~250 ms sooner.
import { enableCompileCache } from 'node:module';

enableCompileCache();
const { cli } = await import('../src/cli/main.ts');

await cli();
