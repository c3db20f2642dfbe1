/**
 * Real headless Chromium (Debian's `chromium` package) driven by playwright-core, and a tiny static
 * file server on 127.0.0.1: a page opened from file:// may not be allowed to load its video.
 */
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Fails loudly (never skips) when the browser this test needs is not installed. */
export function assertChromiumInstalled(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `The report test needs Chromium at ${CHROMIUM_PATH}, which does not exist. Install it with\n` +
        '  sudo apt-get update && sudo apt-get install -y chromium\n' +
        '(.ci/run does this on CI), or set CHROMIUM_PATH to a Chromium binary.',
    );
  }
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh profile each time, so nothing cached from an earlier run can make a page look fine. */
export async function launchChromium(): Promise<Browser> {
  assertChromiumInstalled();
  const profile = await mkdtemp(path.join(os.tmpdir(), 'storyreel-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
  '.jpg': 'image/jpeg',
  '.mp4': 'video/mp4',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `root` read-only, with byte ranges (browsers seek a video with Range requests). */
export async function serveFolder(root: string): Promise<StaticServer> {
  const server: Server = createServer(async (request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const file = path.join(root, path.normalize(pathname));
    const info = file.startsWith(root) ? await stat(file).catch(() => undefined) : undefined;
    if (!info?.isFile()) {
      response.writeHead(404).end('not found');
      return;
    }
    const type = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
    const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '');
    if (range) {
      const start = range[1] ? Number(range[1]) : 0;
      const end = range[2] ? Math.min(Number(range[2]), info.size - 1) : info.size - 1;
      response.writeHead(206, {
        'content-type': type,
        'content-length': end - start + 1,
        'content-range': `bytes ${start}-${end}/${info.size}`,
        'accept-ranges': 'bytes',
      });
      createReadStream(file, { start, end }).pipe(response);
      return;
    }
    response.writeHead(200, { 'content-type': type, 'content-length': info.size, 'accept-ranges': 'bytes' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
