import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { claimValue, keyFor, KeysFile, parseKeysFile } from '../../src/transports/keys.js';

const logger = { info() {}, warn() {}, debug() {}, error() {} } as never;

describe('the keys file format', () => {
  it('reads a list of {value, api_key} in file order', () => {
    expect(parseKeysFile('[{"value":"alice@example.com","api_key":" k1 "},{"value":"42","api_key":"k2"}]')).toEqual([
      { value: 'alice@example.com', api_key: 'k1' },
      { value: '42', api_key: 'k2' },
    ]);
  });

  it('says what is wrong, never quoting a key', () => {
    const secret = 'sk-do-not-print';
    const message = (text: string) => {
      try {
        parseKeysFile(text);
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error('expected an error');
    };
    const broken = message(`[{"value":"a","api_key":"${secret}"`);
    expect(broken).toMatch(/^not valid JSON/);
    expect(broken).not.toContain(secret);
    expect(message('{"alice":"k"}')).toBe('expected a JSON array of {"value": "<claim value>", "api_key": "<Cluvio API key>"}, first match wins');
    expect(message('[{"value":"a"}]')).toBe('entry 1 ("a") has no "api_key" (a non-empty string)');
    expect(message('[{"api_key":"k"}]')).toBe('entry 1 has no "value" (a non-empty string)');
    expect(message(`[{"value":"a","api_key":"${secret}","key":"x"}]`)).toBe('entry 1 ("a") has unknown field key; accepted: value, api_key');
  });
});

describe('matching a claim', () => {
  const entries = parseKeysFile(JSON.stringify([
    { value: 'interns', api_key: 'k-interns' },
    { value: 'analysts', api_key: 'k-analysts' },
    { value: '1001', api_key: 'k-1001' },
  ]));

  it('a string claim matches an equal value; a list matches any item, first entry in file order wins', () => {
    expect(keyFor(entries, 'analysts')).toBe('k-analysts');
    expect(keyFor(entries, ['analysts', 'interns'])).toBe('k-interns');
    expect(keyFor(entries, 1001)).toBe('k-1001');
    expect(keyFor(entries, 'Analysts')).toBeUndefined();
    expect(keyFor(entries, [])).toBeUndefined();
    expect(keyFor(entries, undefined)).toBeUndefined();
    expect(keyFor(entries, { analysts: true })).toBeUndefined();
  });

  it('finds a top-level claim by its full name (dots and all), else follows a dotted path', () => {
    expect(claimValue({ 'https://example.com/groups': ['a'] }, 'https://example.com/groups')).toEqual(['a']);
    expect(claimValue({ realm_access: { roles: ['bi'] } }, 'realm_access.roles')).toEqual(['bi']);
    expect(claimValue({ realm_access: 'x' }, 'realm_access.roles')).toBeUndefined();
    expect(claimValue({ sub: 'u1' }, 'sub')).toBe('u1');
  });
});

describe('KeysFile', () => {
  it('refuses to start with a broken file, naming the setting and the problem', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'keys-')), 'keys.json');
    writeFileSync(path, '[{"value":"a"}]');
    expect(() => new KeysFile(path, 'sub', logger)).toThrow(new ConfigError(`Cannot use CLUVIO_MCP_KEYS_FILE "${path}": entry 1 ("a") has no "api_key" (a non-empty string).`));
    expect(() => new KeysFile(join(path, '..', 'missing.json'), 'sub', logger)).toThrow(/^Cannot use CLUVIO_MCP_KEYS_FILE ".*missing\.json": ENOENT/);
  });

  it('maps the configured claim of a token to its key', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'keys-')), 'keys.json');
    writeFileSync(path, JSON.stringify([{ value: 'alice@example.com', api_key: 'k-alice' }]));
    const keys = new KeysFile(path, 'email', logger);
    expect(keys.keyFor({ sub: 'u1', email: 'alice@example.com' })).toBe('k-alice');
    expect(keys.keyFor({ sub: 'alice@example.com' })).toBeUndefined();
    keys.close();
  });
});
