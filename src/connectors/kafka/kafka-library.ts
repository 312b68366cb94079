/**
 * `@platformatic/kafka`, loaded on first use. Importing it costs 250–700 ms (its protocol
 * tables and ajv schema compilation), and every job module imports `rivulet` — so loading
 * it eagerly would delay every job, and every worker thread's start, also for jobs that
 * never touch Kafka. Node 24 loads the ES module synchronously with require().
 */
import { createRequire } from 'node:module';
import type * as Kafka from '@platformatic/kafka';

let library: typeof Kafka | undefined;

export function kafkaLibrary(): typeof Kafka {
  return (library ??= createRequire(import.meta.url)('@platformatic/kafka') as typeof Kafka);
}
