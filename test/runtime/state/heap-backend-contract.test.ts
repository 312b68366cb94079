import { HeapKeyedStateBackend } from '../../../src/runtime/state/heap-keyed-state-backend.ts';
import { backendContract } from './backend-contract.ts';

backendContract({
  name: 'HeapKeyedStateBackend',
  create: (options) => new HeapKeyedStateBackend(options),
  dispose: () => Promise.resolve(),
});
