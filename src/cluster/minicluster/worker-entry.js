// Entry module of a slot's worker thread. Plain JavaScript on purpose: a TypeScript entry
// makes Node set up type stripping before the thread runs any of our code, ~20–60 ms of
// every worker's start; with the entry in JavaScript and the compile cache on, the
// runtime's TypeScript modules load from the cache without it.
//
// Loading the runtime dominates a worker's start: Node's on-disk compile cache
// (NODE_COMPILE_CACHE, else <os tmpdir>/node-compile-cache, as the TypeScript compiler uses
// it) keeps the stripped and compiled modules, so later starts skip that work.
import { enableCompileCache } from 'node:module';

enableCompileCache();
const { runWorker } = await import('./worker-main.ts');
runWorker();
