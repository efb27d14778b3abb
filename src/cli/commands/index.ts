import type { Command } from '../command.js';
import { hashCommand } from './hash.js';
import { runCommand } from './run.js';
import { runsCommand } from './runs.js';
import { validateCommand } from './validate.js';

/** Every subcommand, in the order `autombw --help` lists them. */
export const COMMANDS: readonly Command[] = [runCommand, validateCommand, hashCommand, runsCommand];
