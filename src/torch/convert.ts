import { stat } from 'node:fs/promises';
import path from 'node:path';
import { UserInputError } from '../config/issues.js';
import { SafetensorsWriter } from '../merge/safetensors/writer.js';
import { TorchCheckpoint } from './checkpoint.js';

export interface ConvertResult {
  readonly tensors: number;
  readonly bytes: number;
  /** State-dict entries that are not tensors and so are not in the output. */
  readonly skipped: readonly string[];
}

/**
 * Writes the tensors of a PyTorch zip checkpoint to a safetensors file, one tensor in memory at a
 * time, under the names and dtypes of its state dict. The output appears only when complete.
 */
export async function convertCheckpoint(input: string, output: string, options: { overwrite?: boolean } = {}): Promise<ConvertResult> {
  if (path.extname(output).toLowerCase() !== '.safetensors') throw new UserInputError(`output ${output} must be a .safetensors file`);
  const [inStat, outStat] = await Promise.all([stat(input).catch(() => undefined), stat(output).catch(() => undefined)]);
  if (outStat && inStat && inStat.dev === outStat.dev && inStat.ino === outStat.ino) throw new UserInputError(`output ${output} is the input file`);
  if (outStat && !options.overwrite) throw new UserInputError(`output ${output} already exists; pass --force to replace it`);

  const checkpoint = await TorchCheckpoint.open(input);
  try {
    const tensors = checkpoint.tensors;
    const writer = await SafetensorsWriter.create(output, tensors, { format: 'pt' });
    try {
      for (const t of tensors) if (t.byteLength > 0) await writer.write(t.name, await checkpoint.read(t));
    } catch (e) {
      await writer.abort();
      throw e;
    }
    await writer.commit();
    return { tensors: tensors.length, bytes: writer.bytesTotal, skipped: checkpoint.skipped };
  } finally {
    await checkpoint.close();
  }
}
