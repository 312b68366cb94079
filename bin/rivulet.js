#!/usr/bin/env node
// The `rivulet` command. Node >= 24 runs the TypeScript sources directly (type stripping).
import { cli } from '../src/cli/main.ts';

await cli();
