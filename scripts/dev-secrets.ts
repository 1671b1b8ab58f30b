import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DevSecrets {
  tokenEncryptionKey: string;
  apiKey: string;
}

/**
 * Development-only secrets, generated once and kept in `.data/` (git-ignored) so restarts can still decrypt the
 * cached tokens and the printed API key keeps working. Production sets TOKEN_ENCRYPTION_KEY and API_KEYS.
 */
export function devSecrets(dataDir: string): DevSecrets {
  const file = join(dataDir, 'dev-secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
  mkdirSync(dataDir, { recursive: true });
  const secrets = {
    tokenEncryptionKey: randomBytes(32).toString('base64'),
    apiKey: `dev-${randomBytes(18).toString('base64url')}`,
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
