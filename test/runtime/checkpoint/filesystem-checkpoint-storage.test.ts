/** FileSystemCheckpointStorage keeps the CheckpointStorage contract (storage-contract.ts). */
import { mkdtemp, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSystemCheckpointStorage } from '../../../src/runtime/checkpoint/file-system-checkpoint-storage.ts';
import { checkpointStorageContract } from './storage-contract.ts';

checkpointStorageContract('FileSystemCheckpointStorage', async () => {
  const root = await mkdtemp(join(tmpdir(), 'rivulet-fs-storage-'));
  const directory = join(root, 'job-1');
  return {
    storage: new FileSystemCheckpointStorage(directory),
    reopen: () => new FileSystemCheckpointStorage(directory),
    // Everything under the temporary root, above the job's directory, so that a file written outside it shows.
    listAll: async () => {
      const entries = await readdir(root, { recursive: true, withFileTypes: true });
      return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
    },
    overwrite: (location, data) => writeFile(location, data),
    remove: (location) => unlink(location),
    dispose: () => rm(root, { recursive: true, force: true }),
  };
});
