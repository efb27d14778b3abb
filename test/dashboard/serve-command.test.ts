import { describe, expect, it } from 'vitest';
import { serveCommand } from '../../src/cli/commands/serve.js';
import { UserInputError } from '../../src/config/issues.js';
import { tempDir } from '../support/tmp.js';

describe('autombw serve options', () => {
  it('refuses an address other than loopback without --allow-remote', async () => {
    await expect(serveCommand.run([tempDir(), '--host', '0.0.0.0'])).rejects.toThrow(new UserInputError('autombw serve: --host 0.0.0.0 is not loopback; add --allow-remote and --token to serve other machines'));
  });

  it('refuses --allow-remote without a token', async () => {
    const saved = process.env.AUTOMBW_TOKEN;
    delete process.env.AUTOMBW_TOKEN;
    try {
      await expect(serveCommand.run([tempDir(), '--host', '0.0.0.0', '--allow-remote'])).rejects.toThrow(/--allow-remote needs --token/);
    } finally {
      if (saved !== undefined) process.env.AUTOMBW_TOKEN = saved;
    }
  });

  it('refuses a port that is not a port number', async () => {
    await expect(serveCommand.run([tempDir(), '--port', '70000'])).rejects.toThrow(/--port: expected a port number 0–65535, got 70000/);
  });

  it('refuses a directory that does not exist', async () => {
    await expect(serveCommand.run(['/nonexistent/autombw-runs'])).rejects.toThrow(/is not a directory/);
  });
});
