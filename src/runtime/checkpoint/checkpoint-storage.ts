/**
 * The CheckpointStorage contract lives in core (src/core/checkpoint-storage.ts) so that the
 * api and graph layers can carry a user's storage object to the runtime; this module keeps
 * the runtime's import path.
 */
export type { CheckpointStorage, CompletedCheckpointRef, StateHandle } from '../../core/checkpoint-storage.ts';
