import { UserInputError } from '../config/issues.js';

export interface AuthConfig {
  auth_env?: string;
  auth_scheme: 'bearer' | 'basic' | 'raw';
  auth_header: string;
}

/**
 * The credential header of an endpoint, read from the environment at run time: the config names
 * the variable, so the secret never enters the config, the journal or the run hash.
 */
export function authHeaders(config: AuthConfig, url: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (config.auth_env === undefined) return {};
  const value = env[config.auth_env];
  if (value === undefined || value === '') {
    throw new UserInputError(`endpoint ${url}: environment variable ${config.auth_env} (auth_env) is not set`);
  }
  const encoded = config.auth_scheme === 'bearer' ? `Bearer ${value}` : config.auth_scheme === 'basic' ? `Basic ${Buffer.from(value, 'utf8').toString('base64')}` : value;
  return { [config.auth_header]: encoded };
}
