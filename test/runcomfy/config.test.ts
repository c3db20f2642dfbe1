/** Where the token may go: https, or http to this machine only; and only to the API's origin. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ProviderError, UsageError } from '../../src/errors.js';
import { createRunComfyProvider } from '../../src/providers/runcomfy/client.js';
import { isLoopbackHost } from '../../src/providers/runcomfy/config.js';
import { rejectionOf, request, startMock, TOKEN } from './support.js';

function creating(env: Record<string, string | undefined>): unknown {
  try {
    createRunComfyProvider({ env });
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('the RunComfy token and base URL', () => {
  it('without a token, fails with an auth error that says how to fix it', () => {
    const error = creating({ RUNCOMFY_API_TOKEN: '  ' });
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('auth');
    expect((error as Error).message).toContain('RUNCOMFY_API_TOKEN is not set');
    expect((error as Error).message).toContain('--provider preview');
  });

  it('refuses plain http to a host other than this machine, without echoing the token', () => {
    for (const baseUrl of ['http://model-api.runcomfy.net', 'http://10.0.0.8:8080', 'http://128.0.0.1']) {
      const error = creating({ RUNCOMFY_API_TOKEN: TOKEN, RUNCOMFY_BASE_URL: baseUrl });
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toContain('plain http');
      expect((error as Error).message).not.toContain(TOKEN);
    }
  });

  it('accepts https anywhere and http on loopback', () => {
    for (const baseUrl of [
      'https://model-api.runcomfy.net',
      'http://localhost:8080',
      'http://127.0.0.1:1234',
      'http://127.9.9.9',
      'http://[::1]:9000',
    ]) {
      expect(creating({ RUNCOMFY_API_TOKEN: TOKEN, RUNCOMFY_BASE_URL: baseUrl })).toBeUndefined();
    }
  });

  it('refuses a base URL that is not a URL, or that carries credentials', () => {
    expect(creating({ RUNCOMFY_API_TOKEN: TOKEN, RUNCOMFY_BASE_URL: 'model-api' })).toBeInstanceOf(
      UsageError,
    );
    expect(
      creating({ RUNCOMFY_API_TOKEN: TOKEN, RUNCOMFY_BASE_URL: 'https://u:p@example.com' }),
    ).toBeInstanceOf(UsageError);
    expect(creating({ RUNCOMFY_API_TOKEN: TOKEN, RUNCOMFY_BASE_URL: 'ftp://example.com' })).toBeInstanceOf(
      UsageError,
    );
  });

  it('refusing a query or fragment, names the part refused (its keys), never the values or the token', () => {
    const cases: [string, string[]][] = [
      [`https://proxy.example/api?api_key=${TOKEN}&region=eu`, ['a query (?api_key=…&region=…)']],
      [`https://proxy.example/api#${TOKEN}`, ['a fragment (#…)']],
      ['https://proxy.example/api?x=1#y', ['a query (?x=…)', 'a fragment (#…)']],
      [`https://proxy.example/api?${TOKEN}`, ['a query (?[redacted]=…)']],
    ];
    for (const [baseUrl, parts] of cases) {
      const message = (creating({ RUNCOMFY_API_TOKEN: TOKEN, RUNCOMFY_BASE_URL: baseUrl }) as Error).message;
      for (const part of parts) expect(message).toContain(part);
      expect(message).toContain('https://proxy.example/api');
      expect(message).not.toContain(TOKEN);
    }
    const notUrl = creating({ RUNCOMFY_API_TOKEN: TOKEN, RUNCOMFY_BASE_URL: `proxy/${TOKEN}` }) as Error;
    expect(notUrl.message).not.toContain(TOKEN);
  });

  it('knows which hosts are loopback', () => {
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('[::ffff:127.0.0.1]')).toBe(true);
    expect(isLoopbackHost('127.example.com')).toBe(false);
    expect(isLoopbackHost('10.0.0.1')).toBe(false);
    expect(isLoopbackHost('[::2]')).toBe(false);
  });

  it('does not follow a redirect from the API to another host (the token would go with it)', async () => {
    const elsewhere = await startMock();
    const redirecting = createServer((_incoming, response) => {
      response.writeHead(307, {
        Location: `${elsewhere.url}/v1/models/kling/kling-3.0/standard/text-to-video`,
      });
      response.end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}`;
      const provider = createRunComfyProvider({ token: TOKEN, baseUrl: url, maxRequestsPerSecond: 1000 });

      const error = await rejectionOf(provider.submit(request()));
      expect((error as ProviderError).kind).toBe('protocol');
      expect(error.message).toContain('does not follow redirects');
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      redirecting.closeAllConnections();
      await new Promise((resolve) => redirecting.close(resolve));
      await elsewhere.close();
    }
  });

  it('keeps a path prefix of the base URL (a proxy in front of the API)', async () => {
    const seen: string[] = [];
    const proxyLike = createServer((incoming, response) => {
      seen.push(incoming.url ?? '');
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ request_id: 'r1', status: 'in_queue' }));
    });
    await new Promise<void>((resolve) => proxyLike.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(proxyLike.address() as AddressInfo).port}/runcomfy/`;
      const provider = createRunComfyProvider({ token: TOKEN, baseUrl: url });
      expect(await provider.status('r1')).toEqual({ state: 'in_queue' });
      expect(await provider.result('r1')).toEqual({ state: 'in_queue' });
      expect(seen).toEqual([
        '/runcomfy/v1/requests/r1/status',
        '/runcomfy/v1/requests/r1/result?include_cost=true',
      ]);
    } finally {
      proxyLike.closeAllConnections();
      await new Promise((resolve) => proxyLike.close(resolve));
    }
  });
});
