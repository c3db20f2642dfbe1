/**
 * The API client's own HTTP exchange (node's http, not fetch) against small real servers on
 * loopback, for what the mock server does not do: redirects, answers cut off mid-body, a connection
 * that never completes, and the connection kept between calls.
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/errors.js';
import { ExchangeError, httpExchange, httpMedia } from '../../src/providers/runcomfy/exchange.js';
import { closedAfterTest } from '../helpers/fixtures.js';
import { clientFor, request, TOKEN } from './support.js';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  socket: number;
}

/** A loopback server answering with `answer`, recording each request and its connection. */
async function server(answer: (request: http.IncomingMessage, response: http.ServerResponse) => void) {
  const seen: Seen[] = [];
  const sockets = new Map<object, number>();
  const listening = http.createServer((incoming, response) => {
    if (!sockets.has(incoming.socket)) sockets.set(incoming.socket, sockets.size + 1);
    seen.push({
      method: incoming.method ?? '',
      url: incoming.url ?? '',
      authorization: incoming.headers.authorization,
      socket: sockets.get(incoming.socket)!,
    });
    incoming.resume();
    incoming.on('end', () => answer(incoming, response));
  });
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  closedAfterTest({
    close: () =>
      new Promise<void>((resolve) => {
        listening.closeAllConnections();
        listening.close(() => resolve());
      }),
  });
  return { url, seen };
}

const provider = (url: string) => clientFor({ url }).provider;

const json = (response: http.ServerResponse, body: unknown) => {
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify(body));
};

describe("the API client's HTTP exchange", () => {
  it('never follows a redirect: the token does not reach the other host, and the error says why', async () => {
    const elsewhere = await server((_request, response) => json(response, { request_id: 'stolen' }));
    const api = await server((_request, response) => {
      response.writeHead(307, { location: `${elsewhere.url}/v1/steal` });
      response.end();
    });
    const error = await provider(api.url)
      .submit(request())
      .catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as Error).message).toContain('with a redirect (HTTP 307');
    expect(elsewhere.seen).toHaveLength(0);
    expect(api.seen).toHaveLength(1);
  });

  it('reads an answer cut off mid-body as lost after the server began answering', async () => {
    const api = await server((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '400' });
      response.write('{"request_id": "half');
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const failure = await httpExchange(new URL(`${api.url}/v1/x`), {
      method: 'POST',
      headers: {},
      body: '{}',
      signal: AbortSignal.timeout(5000),
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ExchangeError);
    expect((failure as ExchangeError).gotHeaders).toBe(true);
    // On a submit, that is a paid job whose id is unknown: never sent again in this run.
    const error = await provider(api.url)
      .submit(request())
      .catch((e: unknown) => e);
    expect((error as ProviderError).kind).toBe('ambiguous');
    expect(api.seen.filter((seen) => seen.method === 'POST')).toHaveLength(2);
  });

  it('keeps the connection between status calls, gives each paid submit its own, and sends the token to the API host only', async () => {
    const api = await server((incoming, response) =>
      incoming.method === 'POST'
        ? json(response, { request_id: 'req-1' })
        : json(response, { request_id: 'req-1', status: 'in_queue', queue_position: 2 }),
    );
    const client = provider(api.url);
    const { requestId } = await client.submit(request());
    await client.status(requestId);
    await client.status(requestId);
    await client.submit(request());
    await client.status(requestId);
    expect(api.seen.map((seen) => [seen.method, seen.socket])).toEqual([
      ['POST', 1],
      ['GET', 2],
      ['GET', 2],
      ['POST', 3],
      ['GET', 2],
    ]);
    expect(api.seen.every((seen) => seen.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('rejects with the abort reason, like fetch, when the caller gives up', async () => {
    const api = await server(() => {
      // Never answers.
    });
    const controller = new AbortController();
    const pending = httpExchange(new URL(`${api.url}/v1/x`), {
      method: 'GET',
      headers: {},
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('stopped by the user')), 50);
    await expect(pending).rejects.toThrow('stopped by the user');
  });

  it('tries a submit again when its connection never completed: nothing was sent, nothing paid', async () => {
    // Accepts TCP and then says nothing: the TLS handshake hangs, as behind a stuck proxy.
    const connections: net.Socket[] = [];
    const silent = net.createServer((socket) => connections.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    closedAfterTest({
      close: () =>
        new Promise<void>((resolve) => {
          for (const socket of connections) socket.destroy();
          silent.close(() => resolve());
        }),
    });
    const url = `https://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const error = await clientFor({ url }, { timeoutMs: 300 })
      .provider.submit(request())
      .catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('transient');
    expect((error as Error).message).toContain('no connection within 300 ms');
    expect((error as Error).message).toContain('Gave up after 4 attempts');
    expect(connections).toHaveLength(4);
  });

  it('reads a submit sent over TLS and left unanswered as possibly paid, and never sends it again', async () => {
    // A TLS server this test trusts (its self-signed certificate, for tests only): the handshake
    // completes, the request arrives, no answer comes.
    const tls = path.join(import.meta.dirname, 'tls');
    const [key, cert] = await Promise.all([
      readFile(path.join(tls, 'test-only-key.pem')),
      readFile(path.join(tls, 'test-only-cert.pem')),
    ]);
    const received: string[] = [];
    const silent = https.createServer({ key, cert }, (incoming) => {
      received.push(incoming.method ?? '');
      incoming.resume();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    closedAfterTest({
      close: () =>
        new Promise<void>((resolve) => {
          silent.closeAllConnections();
          silent.close(() => resolve());
        }),
    });
    const url = `https://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    // In a process of its own: node reads the certificates to trust when it starts.
    const script = `
      const { createRunComfyProvider } = await import(${JSON.stringify(path.resolve('dist/providers/runcomfy/client.js'))});
      const provider = createRunComfyProvider({
        env: { RUNCOMFY_API_TOKEN: ${JSON.stringify(TOKEN)}, RUNCOMFY_BASE_URL: ${JSON.stringify(url)} },
        timeoutMs: 300,
        retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 5000 },
      });
      await provider.submit(${JSON.stringify(request())}).then(
        () => console.log('accepted'),
        (error) => console.log(error.kind + ': ' + error.message),
      );`;
    const result = await execa(process.execPath, ['--input-type=module', '-e', script], {
      env: { NODE_EXTRA_CA_CERTS: path.join(tls, 'test-only-cert.pem') },
    });
    expect(result.stdout).toMatch(
      /^ambiguous: The answer to a paid submit was lost \(no answer within 300 ms\)/,
    );
    expect(received).toEqual(['POST']);
  });

  it('stops at a certificate it cannot trust: one try, nothing sent, and how to fix it', async () => {
    const tls = path.join(import.meta.dirname, 'tls');
    const [key, cert] = await Promise.all([
      readFile(path.join(tls, 'test-only-key.pem')),
      readFile(path.join(tls, 'test-only-cert.pem')),
    ]);
    const received: string[] = [];
    let connections = 0;
    // Self-signed, and not trusted by this process: as behind a proxy that intercepts TLS.
    const intercepting = https.createServer({ key, cert }, (incoming, response) => {
      received.push(incoming.method ?? '');
      response.end();
    });
    intercepting.on('connection', () => connections++);
    await new Promise<void>((resolve) => intercepting.listen(0, '127.0.0.1', resolve));
    closedAfterTest({
      close: () =>
        new Promise<void>((resolve) => {
          intercepting.closeAllConnections();
          intercepting.close(() => resolve());
        }),
    });
    const url = `https://127.0.0.1:${(intercepting.address() as AddressInfo).port}`;
    const error = await clientFor({ url })
      .provider.submit(request())
      .catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('endpoint');
    expect((error as ProviderError).fatalForBatch).toBe(true);
    expect((error as Error).message).toMatch(
      /^The TLS certificate of 127\.0\.0\.1:\d+ was not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\), so no request was sent\. Nothing was sent or paid\. Behind a proxy .*NODE_EXTRA_CA_CERTS/,
    );
    expect(received).toEqual([]);
    expect(connections).toBe(1);
  });

  it("follows a media link's redirects to the file, sending no header of ours", async () => {
    const cdn = await server((_request, response) => {
      response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': '5' });
      response.end('bytes');
    });
    const signed = await server((_request, response) => {
      response.writeHead(302, { location: `${cdn.url}/clip.mp4?sig=1` });
      response.end();
    });
    const answer = await httpMedia(new URL(`${signed.url}/v/abc`), AbortSignal.timeout(5000));
    const chunks: Buffer[] = [];
    for await (const chunk of answer.body) chunks.push(chunk as Buffer);
    expect(answer.status).toBe(200);
    expect(Buffer.concat(chunks).toString()).toBe('bytes');
    expect(cdn.seen.map((seen) => [seen.url, seen.authorization])).toEqual([['/clip.mp4?sig=1', undefined]]);
  });

  it('stops following a media link that redirects in circles', async () => {
    const loop = await server((incoming, response) => {
      response.writeHead(302, { location: incoming.url === '/a' ? '/b' : '/a' });
      response.end();
    });
    await expect(httpMedia(new URL(`${loop.url}/a`), AbortSignal.timeout(5000))).rejects.toThrow(
      'more than 10 redirects',
    );
  });
});
