import { describe, expect, it } from 'vitest';
import { keyRefused } from '../../src/check/runner.js';
import { CluvioApiError, CluvioNetworkError } from '../../src/cluvio/errors.js';
import { REGIONS } from '../../src/config.js';

describe('the first request refused: one sentence', () => {
  const refused = new CluvioApiError(401, ['invalid API key'], 'listDatasources');

  it("names the key and the region to try, for a region's own server", () => {
    expect(keyRefused({ apiUrl: REGIONS.eu.apiUrl, region: 'eu' }, refused)).toBe(
      'The API key was refused (HTTP 401 from https://api.eu.cluvio.com): check CLUVIO_API_KEY, and that the account is in region eu (for an account in the US, set CLUVIO_REGION=us or --region us).',
    );
    expect(keyRefused({ apiUrl: REGIONS.us.apiUrl, region: 'us' }, refused)).toMatch(/region us \(for an account in the EU, set CLUVIO_REGION=eu or --region eu\)\.$/);
  });

  it('names CLUVIO_API_URL for another server, and the network when nothing answers; anything else is no reason to stop', () => {
    expect(keyRefused({ apiUrl: 'https://cluvio.example.org', region: 'eu' }, refused)).toMatch(/and that https:\/\/cluvio\.example\.org is the account's API server \(CLUVIO_API_URL\)\.$/);
    const down = new CluvioNetworkError('cannot reach Cluvio: ECONNREFUSED', 'listDatasources', 'connection');
    expect(keyRefused({ apiUrl: REGIONS.eu.apiUrl, region: 'eu' }, down)).toBe(
      'Cannot reach https://api.eu.cluvio.com (cannot reach Cluvio: ECONNREFUSED): check the network, and CLUVIO_REGION or CLUVIO_API_URL.',
    );
    expect(keyRefused({ apiUrl: REGIONS.eu.apiUrl, region: 'eu' }, new CluvioApiError(403, [], 'listDatasources'))).toBeUndefined();
    expect(keyRefused({ apiUrl: REGIONS.eu.apiUrl, region: 'eu' }, new CluvioApiError(404, [], 'listDatasources'))).toBeUndefined();
  });
});
