import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ConfigIssue } from '../../config/issues.js';
import { parseDuration } from '../../util/duration.js';
import type { JsonObject } from '../../util/json.js';
import { fromBase, relativeToBase } from '../../util/paths.js';
import { sha256File } from '../../util/sha256.js';
import { CommandScorer } from '../command-scorer.js';
import type { CommandScorerSection } from '../config.js';
import { resolveFile, type ScorerKind } from './kind.js';

export const commandScorerKind: ScorerKind<CommandScorerSection> = {
  resolve(section, baseDir) {
    const issues: ConfigIssue[] = [];
    const [program, ...args] = section.command;
    // A program given as a path is relative to the experiment; a bare name is looked up on PATH.
    const resolvedProgram = program.includes('/') ? resolveFile(baseDir, program, ['command', 0], issues) : program;
    const cwd = relativeToBase(baseDir, section.cwd);
    if (!existsSync(fromBase(baseDir, cwd))) issues.push({ path: ['cwd'], message: `directory not found: ${cwd}` });
    try {
      parseDuration(section.timeout);
    } catch (e) {
      issues.push({ path: ['timeout'], message: (e as Error).message });
    }
    return { section: { ...section, command: [resolvedProgram, ...args], cwd }, issues };
  },

  async fingerprint(s, baseDir) {
    // The scripts a command runs decide its scores: every argument naming a file enters by content.
    const cwd = fromBase(baseDir, s.cwd);
    const files: JsonObject = {};
    for (const [i, arg] of s.command.entries()) {
      const file = i === 0 && arg.includes('/') ? fromBase(baseDir, arg) : path.resolve(cwd, arg);
      if (existsSync(file) && statSync(file).isFile()) files[String(i)] = await sha256File(file);
    }
    return { kind: 'command', command: s.command, files, env: s.env };
  },

  async create(s, { name, baseDir, identity }) {
    const [program, ...args] = s.command;
    return new CommandScorer({
      name,
      argv: [program.includes('/') ? fromBase(baseDir, program) : program, ...args],
      cwd: fromBase(baseDir, s.cwd),
      env: s.env,
      timeoutMs: parseDuration(s.timeout) * 1000,
      batch: s.batch,
      identity,
    });
  },
};
