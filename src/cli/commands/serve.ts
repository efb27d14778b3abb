import { existsSync, statSync } from 'node:fs';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { UserInputError } from '../../config/issues.js';
import { displayPath } from '../../config/source.js';
import { isLoopback, startDashboard } from '../../dashboard/server.js';

const DEFAULT_PORT = 8765;

export const serveCommand: Command = {
  name: 'serve',
  help: `Usage: autombw serve [dir] [--port ${DEFAULT_PORT}] [--host 127.0.0.1] [--allow-remote --token TOKEN]

A local web dashboard of the runs and comparisons under dir (default: the current
directory, searched four levels deep). Pages update live while other processes run:
convergence, the best recipe with its export strings, every trial with its weights
(sortable, filterable; click one for its images and scores), rendering-server activity,
parameter importance, parallel coordinates and slices; comparisons show live bands.
Nothing is fetched from the network; it works offline. Stop it with Ctrl-C.

Options:
  --port N          port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --host ADDR       address to bind (default 127.0.0.1, loopback only)
  --allow-remote    allow an address other than loopback; needs --token
  --token TOKEN     required on every request (open the printed URL once: it sets a
                    cookie); also read from AUTOMBW_TOKEN`,

  async run(argv) {
    const { values, positionals } = parseCommandArgs('serve', argv, {
      port: { type: 'string' },
      host: { type: 'string' },
      'allow-remote': { type: 'boolean' },
      token: { type: 'string' },
    });
    if (values.help) return (console.log(this.help), 0);
    if (positionals.length > 1) throw new UserInputError('autombw serve: give at most one directory');
    const root = positionals[0] ?? '.';
    if (!existsSync(root) || !statSync(root).isDirectory()) throw new UserInputError(`autombw serve: ${root} is not a directory`);
    const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserInputError(`autombw serve: --port: expected a port number 0–65535, got ${values.port}`);
    const host = values.host ?? '127.0.0.1';
    const token = values.token ?? process.env.AUTOMBW_TOKEN;
    if (!isLoopback(host)) {
      if (!values['allow-remote']) throw new UserInputError(`autombw serve: --host ${host} is not loopback; add --allow-remote and --token to serve other machines`);
      if (!token) throw new UserInputError('autombw serve: --allow-remote needs --token (or AUTOMBW_TOKEN): anyone who can reach the port could read your runs');
    }
    const dashboard = await startDashboard({ root, host, port, ...(token ? { token } : {}) });
    console.log(`autombw dashboard of ${displayPath(root)}: ${dashboard.url}${token ? `?token=${encodeURIComponent(token)}` : ''}`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await dashboard.close();
    return 0;
  },
};
