import { accessSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Why this process could not use `stateDir` (an absolute path), or null: it is not a folder,
 * or this user cannot write it, or, when it is not there yet, cannot make it (the nearest
 * folder above it is not writable). With the rights of whoever asks: `check` or a dry run
 * run as the service user tell what `serve` and `trigger` will find. Only looks.
 */
export function stateDirProblem(stateDir: string): string | null {
  let dir = stateDir;
  for (;;) {
    try {
      if (!statSync(dir).isDirectory()) return dir === stateDir ? `state_dir ${stateDir} is not a folder` : `state_dir ${stateDir} cannot be made: ${dir} is not a folder`;
      break;
    } catch {
      const up = dirname(dir);
      if (up === dir) return `state_dir ${stateDir} cannot be made: no folder above it exists`;
      dir = up;
    }
  }
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return dir === stateDir
      ? `state_dir ${stateDir} is not writable by this user (${code}): serve and trigger would refuse it`
      : `state_dir ${stateDir} cannot be made by this user: ${dir} is not writable (${code}); serve and trigger would refuse it`;
  }
}
