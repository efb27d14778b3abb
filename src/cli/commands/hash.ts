import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { loadAndHashExperiment } from '../../config/load.js';
import { UserInputError } from '../../config/issues.js';

export const hashCommand: Command = {
  name: 'hash',
  help: `Usage: autombw hash <experiment.yaml> [--canonical]

Prints the 64-hex run hash: the SHA-256 of the experiment's canonical form (defaults
filled, paths relative to the experiment, includes inlined, model files by content).
Same meaning gives the same hash; name, description and output settings do not count.
The run lives in <output.dir>/<first 12 hex>/.

Options:
  --canonical   also print the canonical JSON the hash is computed from`,
  async run(argv) {
    const { positionals, values } = parseCommandArgs('hash', argv, { canonical: { type: 'boolean' } });
    if (values.help) return (console.log(this.help), 0);
    if (positionals.length !== 1) throw new UserInputError('autombw hash: give exactly one experiment file');
    const exp = await loadAndHashExperiment(positionals[0]);
    console.log(exp.hash);
    if (values.canonical) console.log(JSON.stringify(JSON.parse(exp.canonical), null, 2));
    return 0;
  },
};
