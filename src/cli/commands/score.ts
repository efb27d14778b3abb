import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { UserInputError } from '../../config/issues.js';
import { displayPath, SourceMap } from '../../config/source.js';
import { isPlainObject } from '../../util/json.js';
import { createScorer, resolveScoring } from '../../scoring/create-scorer.js';
import { COMBINE_MODES } from '../../scoring/combine.js';
import { TALLY_MODES } from '../../scoring/tally.js';
import type { ScoredImage } from '../../scoring/types.js';

const HELP = `Usage: autombw score <image>... (--config <file> | --scorer <yaml>...) [options]

Scores image files and prints every scorer's value per image, the combined value and the
aggregate, so a scorer can be checked on your own images before a run spends GPU hours on it.

Options:
  --config <file>    an experiment (its objective.scorer section is used) or a file holding
                     just a scorer section (scorers: [...]); paths are relative to that file
  --scorer <yaml>    one scorer as a YAML mapping, e.g.
                       --scorer '{kind: onnx, encoder: clip-l14.onnx, head: laion-v2.onnx}'
                       --scorer '{kind: builtin}'
                     repeatable (the scorers are combined); paths are relative to the current
                     directory
  --combine <mode>   with --scorer: ${COMBINE_MODES.join(' | ')} (default arithmetic)
  --tally <mode>     how the images become one value: ${TALLY_MODES.join(' | ')}
                     (default: the section's tally)
  --prompt <text>    the prompt, for prompt-aware scorers (default: empty)
  --json             print the per-image details and the aggregate as JSON
  -h, --help         this text

The scorer section is described in docs/scoring.md.

Exit codes: 0 scored, 1 scoring failed, 2 bad input.`;

export const scoreCommand: Command = {
  name: 'score',
  help: HELP,
  async run(argv) {
    const { positionals, values } = parseCommandArgs('score', argv, {
      config: { type: 'string' },
      scorer: { type: 'string', multiple: true },
      combine: { type: 'string' },
      tally: { type: 'string' },
      prompt: { type: 'string', default: '' },
      json: { type: 'boolean', default: false },
    });
    if (values.help) return (console.log(HELP), 0);
    if (positionals.length === 0) throw new UserInputError('autombw score: give at least one image file (see autombw score --help)');
    if ((values.config === undefined) === (values.scorer === undefined)) {
      throw new UserInputError('autombw score: give either --config <file> or --scorer <yaml> (see autombw score --help)');
    }
    const { section, baseDir } = values.config !== undefined ? await sectionFromFile(values.config) : sectionFromFlags(values.scorer!, values.combine);
    if (values.tally !== undefined) {
      if (!(TALLY_MODES as readonly string[]).includes(values.tally)) throw new UserInputError(`autombw score: --tally must be one of ${TALLY_MODES.join(', ')}`);
      section.tally = values.tally;
    }
    const images = await readImages(positionals, values.prompt!);
    const panel = await createScorer(section, baseDir, { log: (line) => console.error(line) });
    try {
      const { value, details } = await panel.judge([{ name: 'images', weight: 1, images }]);
      if (values.json) {
        console.log(JSON.stringify(details, null, 2));
        return 0;
      }
      const results = (details.payloads as Array<{ images: Array<{ score: number; scores: Record<string, number> }> }>)[0].images;
      const names = panel.members.map((m) => m.scorer.name);
      printTable(
        ['image', ...names, ...(names.length > 1 ? ['combined'] : [])],
        results.map((r, i) => [displayPath(positionals[i]), ...names.map((n) => number(r.scores[n])), ...(names.length > 1 ? [number(r.score)] : [])]),
      );
      console.log(`\naggregate (${details.tally} over ${images.length} image${images.length === 1 ? '' : 's'}): ${number(value)}`);
      return 0;
    } finally {
      await panel.close();
    }
  },
};

type Section = Record<string, unknown>;

/** The scorer section of an experiment or of a scorer-only file. */
async function sectionFromFile(file: string): Promise<{ section: Section; baseDir: string }> {
  const { data, sources } = SourceMap.load(file);
  const absolute = path.resolve(file);
  const baseDir = path.dirname(absolute);
  let at: Array<string | number>;
  if (isPlainObject(data) && isPlainObject(data.objective) && data.objective.scorer !== undefined) at = ['objective', 'scorer'];
  else if (isPlainObject(data) && data.scorers !== undefined) at = [];
  else throw new UserInputError(`${displayPath(absolute)}: no scorer section (expected objective.scorer, or scorers: at the top)`);
  const section = (at.length === 0 ? data : (data as { objective: { scorer: unknown } }).objective.scorer) as Section;
  const { issues } = await resolveScoring(section, baseDir, at);
  if (issues.length > 0) {
    const lines = issues.map((i) => sources.format(i.path, i.message, { key: (i as { key?: boolean }).key }));
    throw new UserInputError(lines.length === 1 ? lines[0] : `${lines.length} problems in ${displayPath(absolute)}`, lines);
  }
  return { section: { ...section }, baseDir };
}

function sectionFromFlags(scorers: readonly string[], combine: string | undefined): { section: Section; baseDir: string } {
  const items = scorers.map((text, i) => {
    let item: unknown;
    try {
      item = parseYaml(text);
    } catch (e) {
      throw new UserInputError(`autombw score: --scorer ${i + 1} is not YAML: ${(e as Error).message.split('\n')[0]}`);
    }
    if (!isPlainObject(item)) throw new UserInputError(`autombw score: --scorer ${i + 1} must be a mapping like '{kind: builtin}'`);
    return item;
  });
  return { section: { scorers: items, ...(combine !== undefined ? { combine } : {}) }, baseDir: process.cwd() };
}

async function readImages(files: readonly string[], prompt: string): Promise<ScoredImage[]> {
  return Promise.all(
    files.map(async (file, index) => {
      const absolute = path.resolve(file);
      try {
        return { data: await readFile(absolute), prompt, payload: 'images', index, path: absolute };
      } catch (e) {
        throw new UserInputError(`autombw score: cannot read ${displayPath(absolute)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    }),
  );
}

function number(v: number | undefined): string {
  if (v === undefined) return '';
  const digits = Math.abs(v) >= 100 ? 2 : 4;
  return v.toFixed(digits);
}

function printTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): void {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: readonly string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}
