import { open, type FileHandle } from 'node:fs/promises';
import { UserInputError } from '../config/issues.js';

/** Opens a model file for reading; a file that cannot be opened is the user's to fix, named in the message. */
export async function openModelFile(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserInputError(code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot open (${(e as Error).message})`);
  }
}
