/**
 * npm run test:reliability — the reliability suite (test/reliability/) at full size
 * (AUTOMBW_RELIABILITY=full) together with the hostile-experiment corpus
 * (test/config/errors.test.ts), then RELIABILITY.md from the figures the tests record. Nothing is
 * written when a test fails: the figures are claims that nothing was lost.
 *
 * Options: --quick runs the sizes `npm test` uses (for trying the script; the file says so),
 * --out FILE writes elsewhere than RELIABILITY.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { answerHelp } from './help.js';

answerHelp(import.meta.url);

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const VITEST = path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const FILES = ['test/reliability', 'test/config/errors.test.ts'];
const COMMAND = 'npm run test:reliability';

interface Figure {
  section: string;
  mode: 'quick' | 'full';
  figures: Record<string, unknown>;
}

interface VitestJson {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  startTime: number;
  testResults: Array<{ name: string; startTime: number; endTime: number; assertionResults: Array<{ ancestorTitles: string[]; title: string; status: string }> }>;
}

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const out = path.resolve(ROOT, args.includes('--out') ? args[args.indexOf('--out') + 1] : 'RELIABILITY.md');

const work = mkdtempSync(path.join(os.tmpdir(), 'autombw-reliability-'));
try {
  const figuresFile = path.join(work, 'figures.jsonl');
  const jsonFile = path.join(work, 'vitest.json');
  const load = os.loadavg()[0];
  const started = Date.now();
  const run = spawnSync(process.execPath, [VITEST, 'run', ...FILES, '--reporter=default', '--reporter=json', `--outputFile.json=${jsonFile}`], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, AUTOMBW_RELIABILITY: quick ? 'quick' : 'full', AUTOMBW_RELIABILITY_FIGURES: figuresFile },
  });
  const results = JSON.parse(readFileSync(jsonFile, 'utf8')) as VitestJson;
  if (run.status !== 0 || results.numFailedTests > 0) {
    console.error(`\n${results.numFailedTests} test(s) failed: ${path.relative(ROOT, out)} not written`);
    process.exit(1);
  }
  const figures = readFileSync(figuresFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Figure);
  writeFileSync(out, render(figures, results, { seconds: (Date.now() - started) / 1000, load, quick }));
  console.log(`\n${path.relative(ROOT, out)} written: ${results.numPassedTests} tests passed`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

function render(figures: Figure[], results: VitestJson, run: { seconds: number; load: number; quick: boolean }): string {
  const of = (section: string) => figures.filter((f) => f.section === section).map((f) => f.figures);
  const crash = of('crash-resume');
  const cuts = of('journal-cuts');
  const faults = of('backend-faults');
  const fuzz = of('safetensors-fuzz');
  const torchArchives = of('torch-fuzz-archives');
  const torchPickles = of('torch-fuzz-pickles');
  const lies = of('lying-scores');
  const memory = of('long-run');
  const disk = of('disk-full');
  const hostile = of('hostile-input');
  const budgets = of('huge-budgets');
  const corpus = results.testResults
    .filter((f) => f.name.endsWith('errors.test.ts'))
    .flatMap((f) => f.assertionResults)
    .filter((a) => a.ancestorTitles.some((t) => t.startsWith('hostile-input corpus')) && /^\d+-/.test(a.title));
  const cpus = os.cpus();
  const sum = (rows: Array<Record<string, unknown>>, key: string) => rows.reduce((n, r) => n + Number(r[key] ?? 0), 0);
  const fileCommand = (file: string) => `\`AUTOMBW_RELIABILITY=full npx vitest run test/reliability/${file}\``;

  const lines = [
    '# Reliability',
    '',
    'What happens to autombw when processes are killed, servers misbehave, inputs are hostile, scores lie',
    'and resources run out. Every figure below comes from the automated suite in `test/reliability/`',
    '(plus the hostile-experiment corpus of `test/config/errors.test.ts`), written by `bench/reliability.ts`',
    'from the figures the tests record; every test asserts that nothing was lost, duplicated or corrupted,',
    'so this file exists only when all of them passed. `npm test` runs the same tests at a smaller size.',
    '',
    `Command: \`${COMMAND}\`${run.quick ? ' (with --quick: the npm test sizes)' : ''} · ${new Date().toISOString().slice(0, 10)} · ${results.numPassedTests} tests passed in ${Math.round(run.seconds)} s ·`,
    `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} logical CPUs, load average ${run.load.toFixed(1)} at start · Node ${process.version}, ${os.platform()} ${os.release()}`,
    '',
    '| | figure | nothing lost |',
    '|---|---|---|',
    `| runs killed with SIGKILL and resumed | ${sum(crash, 'kills')} (${crash.map((c) => `${c.kills} of ${c.scenario}`).join(', ')}) | every resumed run equals an uninterrupted one |`,
    `| journals cut at a random byte and resumed | ${sum(cuts, 'cuts')} | every one equals the uninterrupted run |`,
    `| backend faults served during whole runs | ${sum(faults, 'served_total')} (${faults.map((f) => `${f.served_total} ${String(f.backend).split(' ')[0]}`).join(', ')}) | ${sum(faults, 'trials')} trials, each retried to its clean value or recorded as failed; ${sum(faults, 'trials_failed')} failed (timeouts) |`,
    `| bad experiment files | ${corpus.length} | each refused with its message at file:line:col |`,
    `| safetensors files fuzzed | ${sum(fuzz, 'cases')} | no crash, hang, allocation beyond the file size or read past its end |`,
    `| lying score patterns through gp-bo | ${lies.length} | runs complete; non-finite values failed, the GP saw finite values only |`,
    `| evaluations in the longest memory run | ${Math.max(...memory.map((m) => Number(m.evaluations)))} | heap and RSS flat |`,
    `| disk-full cases | ${disk.reduce((n, d) => n + (d.cases as unknown[]).length, 0)} | clear error, journal intact, resume equals the uninterrupted run |`,
    `| optimizer × huge budget runs | ${budgets.length} | each started at once and stopped at its time limit |`,
    '',
    '## 1. Crash and resume',
    '',
    `${fileCommand('crash-resume.test.ts')}`,
    '',
    'The real CLI (`bin/autombw.js`) is started, killed with SIGKILL and started again until the run',
    'completes; the kill moment rotates between *during ask* (a few ms after a result is journaled:',
    'gp-bo fits its GP), *during evaluation* (while the objective works on a journaled ask) and *while',
    'appending* (when /proc/<pid>/syscall shows the main thread inside write() or fsync() of journal.jsonl).',
    'Where the kill landed is read back from the journal. The resumed run must equal an uninterrupted',
    'reference run: the same trials asked (points, origins, gp-bo hyperparameters) and told (values,',
    'errors, details) in the same order, each exactly once, the same best.json, the same files.',
    '',
    '| scenario | optimizer | budget | kills | kill moments | journal state at the kill |',
    '|---|---|---|---|---|---|',
    ...crash.map((c) => `| ${c.scenario} | ${c.optimizer} | ${c.budget} | ${c.kills} | ${entries(c.kill_moments)} | ${entries(c.kill_points) || '–'} |`),
    '',
    'A single write() of a journal line is not interrupted by a signal, so a torn line needs a power',
    'cut or a full disk; it is simulated by cutting the journal of a finished gp-bo run at random bytes',
    '(always including the end of the last trial and the middle of the stop line) and resuming:',
    '',
    ...cuts.map((c) => `- ${c.cuts} cuts of a ${c.journal_bytes}-byte journal: ${c.inside_a_line} inside a line, ${c.on_a_line_boundary} on a line boundary; all resumed to the uninterrupted run.`),
    '',
    '## 2. Backend faults',
    '',
    `${fileCommand('backend-faults.test.ts')}`,
    '',
    'Whole runs against the fake servers (`test/support/fake-comfyui.ts`, `fake-a1111.ts`), with a fault',
    'injected after most trials. *Injected* counts faults armed; *served* counts those a server actually',
    'produced (one armed near the end may never be). Each trial is compared with the same trial of a clean',
    'run: the same recipe and exactly the same value, or failed with the expected reason.',
    '',
    ...faults.flatMap((f) => [
      `**${f.backend}**, ${f.trials} trials: ${f.served_total} faults served, ${Number(f.trials_failed) > 0 ? `${f.trials_failed} trials failed (timed out on a stalled server)` : 'no trial failed'}, ${f.trials_lost} lost.`,
      '',
      '| fault | injected | served |',
      '|---|---|---|',
      ...Object.keys(f.injected as object).map((k) => `| ${k} | ${(f.injected as Record<string, number>)[k]} | ${(f.served as Record<string, number>)[k] ?? 0} |`),
      '',
    ]),
    '## 3. Hostile input',
    '',
    `- **Bad experiment files**: ${corpus.length} files in \`test/fixtures/bad-experiments/\` (syntax, schema and semantic mistakes, alias bombs, unsafe tags, prototype keys, binary garbage, include cycles, …), each refused with the expected message at file:line:col, no stack, no raw control characters (\`npx vitest run test/config/errors.test.ts\`).`,
    ...fuzz.map((f) => `- **safetensors reader fuzzing**: ${f.cases} mutated files in ${f.seconds} s (slowest case ${f.slowest_case_ms} ms); largest buffer the reader allocated ${f.largest_buffer_over_file_size} × the file's size; ${f.crashes} crashes (${fileCommand('safetensors-fuzz.test.ts')}). Every read goes through a wrapped file handle that checks allocation and range; an accepted file must read back byte for byte.`),
    '',
    ...(fuzz[0] ? ['| mutation | cases | accepted (still valid) |', '|---|---|---|', ...Object.entries(fuzz[0].by_mutation as Record<string, { cases: number; accepted: number }>).map(([k, v]) => `| ${k} | ${v.cases} | ${v.accepted} |`), ''] : []),
    ...torchArchives.map((f) => `- **PyTorch checkpoint reader fuzzing**: ${f.cases} mutated zip archives (real LAION head and torch.save-shaped ones; directory fields, flips, cuts, pickle bytes) and ${torchPickles[0]?.cases ?? 0} mutated pickles (${torchPickles[0]?.refused ?? 0} refused); ${f.crashes} crashes, every read inside the file and no buffer larger than it (${fileCommand('torch-fuzz.test.ts')}).`),
    '',
    ...hostile.map((h) => `- ${String(h.check)}: ${entries(Object.fromEntries(Object.entries(h).filter(([k]) => k !== 'check')))} (${fileCommand(String(h.check).startsWith('credentials') ? 'secrets.test.ts' : 'hostile-output.test.ts')}).`),
    '',
    '## 4. Scores that lie',
    '',
    `${fileCommand('lying-scores.test.ts')}`,
    '',
    'A wrapper in front of a benchmark objective lies, through the real run loop with gp-bo. The rule: a',
    'non-finite value makes the trial failed (journal, statistics and optimizer alike) and failed trials',
    'stay out of the GP; finite values of any scale are standardized. Every GP fit is intercepted and',
    'checked for finite targets and hyperparameters; a resumed run must read the same verdicts back.',
    '',
    '| lie | trials | failed | GP fits | non-finite values fed to the GP |',
    '|---|---|---|---|---|',
    ...lies.map((l) => `| ${l.lie} | ${l.trials} | ${l.failed} | ${l.gp_fits} | ${l.non_finite_values_fed_to_gp} |`),
    '',
    '## 5. Resources',
    '',
    `${fileCommand('long-run.test.ts')}`,
    '',
    'Memory of a run in a child process of its own, after a full GC, when the listed number of trials is',
    'journaled.',
    '',
    '| run | evaluations | seconds | memory (trials: RSS / heap MiB) | heap growth per evaluation |',
    '|---|---|---|---|---|',
    ...memory.map((m) => `| ${m.objective} | ${m.evaluations} | ${m.seconds} | ${(m.memory as Array<{ trials: number; rss_mib: number; heap_mib: number }>).map((p) => `${p.trials}: ${p.rss_mib} / ${p.heap_mib}`).join(' · ')} | ${m.heap_growth_kib_per_evaluation} KiB |`),
    '',
    `${fileCommand('disk-full.test.ts')}`,
    '',
    'Disk full: the command runs on a 4 MiB tmpfs mounted in a private mount namespace (`unshare`),',
    'with a filler file leaving only the free space shown; afterwards the filler is removed and the',
    'same command run again. The failed run must exit 1 with a one-line error naming the file, leave',
    'no temporary file or lock, keep a journal whose trials equal the reference run\'s first ones; the',
    'second run must end equal to an uninterrupted run.',
    '',
    '| command | free space | trials journaled before the disk was full | error |',
    '|---|---|---|---|',
    ...disk.flatMap((d) => (d.cases as Array<Record<string, unknown>>).map((c) => `| ${d.command} | ${c.free_kib !== undefined ? `${c.free_kib} KiB` : '–'} | ${c.journaled_trials ?? '–'} | ${String(c.error).replace(/\|/g, '\\|')} |`)),
    '',
    `${fileCommand('huge-budgets.test.ts')}`,
    '',
    'Optimizers size designs and schedules by the budget, a number from a config file. Every optimizer',
    'with a budget it will never reach must start at once and stop at its time limit (0.2 s):',
    '',
    '| budget | optimizers | slowest run (s) | trials in the slowest |',
    '|---|---|---|---|',
    ...[...new Set(budgets.map((b) => Number(b.budget)))].map((budget) => {
      const rows = budgets.filter((b) => Number(b.budget) === budget);
      const slowest = rows.reduce((a, b) => (Number(b.seconds) > Number(a.seconds) ? b : a));
      return `| ${budget.toExponential(0)} | ${rows.length} | ${slowest.seconds} (${slowest.optimizer}) | ${slowest.trials} |`;
    }),
    '',
  ];
  return `${lines.join('\n')}\n`;
}

function entries(value: unknown): string {
  return Object.entries((value ?? {}) as Record<string, unknown>)
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
}
