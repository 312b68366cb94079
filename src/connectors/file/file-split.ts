import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { asRivuletError, RivuletError } from '../../core/errors.ts';
import type { SourceSplit } from '../../core/source.ts';

/** One whole file; file sources read a file in a single split (gzip cannot be split). */
export interface FileSplit extends SourceSplit {
  /** The file path, as given or joined to the given directory; also the split id. */
  readonly path: string;
  /** Size in bytes at discovery (compressed size for a gzip file). */
  readonly size: number;
  /**
   * The checkpointed position: how many records of the file were already read (rows,
   * rejected rows and the header line alike). A restored reader skips them; absent: 0.
   * A record count rather than a byte offset, since gzip files cannot be entered midway.
   */
  readonly recordsToSkip?: number;
}

/**
 * Lists the files of an input path: the file itself, or every regular file directly in
 * the directory, sorted by name. As Flink's `DefaultFileFilter`, names starting with `.` or
 * `_` are skipped (hidden files, `_SUCCESS` markers, in-progress sink files).
 *
 * @throws RivuletError(INPUT_NOT_FOUND) naming the path when it does not exist or cannot be read.
 */
export async function discoverFileSplits(path: string): Promise<FileSplit[]> {
  const info = await stat(path).catch((e: unknown) => {
    throw inputError(e, path);
  });
  if (info.isFile()) return [{ splitId: path, path, size: info.size }];
  if (!info.isDirectory()) {
    throw new RivuletError('INPUT_NOT_FOUND', `Input ${path} is neither a file nor a directory`, { file: path });
  }
  const names = await readdir(path).catch((e: unknown) => {
    throw inputError(e, path);
  });
  const splits: FileSplit[] = [];
  for (const name of names.filter((n) => !n.startsWith('.') && !n.startsWith('_')).sort()) {
    const file = join(path, name);
    const entry = await stat(file).catch((e: unknown) => {
      throw inputError(e, file);
    });
    if (entry.isFile()) splits.push({ splitId: file, path: file, size: entry.size });
  }
  return splits;
}

function inputError(e: unknown, path: string): RivuletError {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new RivuletError(
      'INPUT_NOT_FOUND',
      `Input ${path} does not exist (resolved to ${resolve(path)}). Check the path and the working directory.`,
      { file: path },
      { cause: e },
    );
  }
  return asRivuletError(e, 'INPUT_NOT_FOUND', `Input ${path} cannot be read`, { file: path });
}
