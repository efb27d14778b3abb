import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { UserInputError } from '../../config/issues.js';
import { convertCheckpoint } from '../../torch/convert.js';

export const convertCommand: Command = {
  name: 'convert',
  help: `Usage: autombw convert <model.ckpt|.pt|.pth|.bin> -o <model.safetensors> [--force]

Converts a PyTorch zip checkpoint (torch.save since PyTorch 1.6) to safetensors without
Python and without running it: the pickle is read by a restricted reader that rebuilds only
tensors and plain containers and refuses any other global or opcode, naming it. For a
training checkpoint (PyTorch Lightning, as Stable Diffusion 1.x ships) the tensors of its
"state_dict" are written; entries that are not tensors (epoch, global_step) are listed.

Options:
  -o, --output FILE   the .safetensors file to write (appears only when complete)
  --force             replace an existing output file`,
  async run(argv) {
    const { positionals, values } = parseCommandArgs('convert', argv, { output: { type: 'string', short: 'o' }, force: { type: 'boolean' } });
    if (values.help) return (console.log(this.help), 0);
    if (positionals.length !== 1) throw new UserInputError('autombw convert: give exactly one checkpoint to convert');
    if (!values.output) throw new UserInputError('autombw convert: name the output file with -o model.safetensors');
    const result = await convertCheckpoint(positionals[0], values.output, { overwrite: values.force ?? false });
    const skipped = result.skipped.length > 0 ? `; left out ${result.skipped.length} entries that are not tensors (${result.skipped.slice(0, 5).join(', ')}${result.skipped.length > 5 ? ', …' : ''})` : '';
    console.log(`wrote ${values.output}: ${result.tensors} tensors, ${result.bytes} bytes${skipped}`);
    return 0;
  },
};
