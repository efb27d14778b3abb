import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { UserInputError } from '../../config/issues.js';
import { importHeadToFile } from '../../scoring/heads/import.js';

export const scorerCommand: Command = {
  name: 'scorer',
  help: `Usage: autombw scorer import <head.pth|.pt|.ckpt|.safetensors> -o <head.onnx> [--force]

Turns a published aesthetic head into an ONNX model for an \`onnx\` scorer's \`head\`, without
Python: the .pth is read by autombw's restricted PyTorch reader (nothing in it is run).
Recognised by its state-dict keys and shapes:
  laion-v1   LAION aesthetic predictor (sa_0_4_vit_l_14_linear.pth): Linear(768→1)
  laion-v2   improved aesthetic predictor (sac+logos+ava1-l14-linearMSE.pth) and chadscorer.pth:
             768→1024→128→64→16→1, no activations
The model takes \`embedding\` [N, dim] (L2-normalised CLIP image embeddings; keep the scorer's
normalize: true) and returns \`score\` [N, 1]. Pair it with a CLIP vision tower published as
ONNX: see docs/interop.md.

Options:
  -o, --output FILE   the .onnx file to write
  --force             replace an existing output file`,
  async run(argv) {
    const { positionals, values } = parseCommandArgs('scorer', argv, { output: { type: 'string', short: 'o' }, force: { type: 'boolean' } });
    if (values.help) return (console.log(this.help), 0);
    const [action, ...files] = positionals;
    if (action !== 'import') throw new UserInputError(`autombw scorer: ${action === undefined ? 'give an action' : `unknown action "${action}"`}; the one action is "import" (see autombw scorer --help)`);
    if (files.length !== 1) throw new UserInputError('autombw scorer import: give exactly one head file');
    if (!values.output) throw new UserInputError('autombw scorer import: name the output file with -o head.onnx');
    const head = await importHeadToFile(files[0], values.output, { overwrite: values.force ?? false });
    console.log(`wrote ${values.output}: ${head.architecture} head on ${head.dim}-value embeddings`);
    return 0;
  },
};
