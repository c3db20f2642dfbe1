/**
 * Real headless Chromium driven by playwright-core, and a tiny static file server on 127.0.0.1: a
 * page opened from file:// may not be allowed to load its video.
 *
 * The browser is the one `@sparticuz/chromium` ships inside its npm package (a devDependency), so
 * `npm ci` alone brings it: no apt, no download. CHROMIUM_PATH overrides it with any Chromium binary.
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import packagedChromium from '@sparticuz/chromium';
import { type BrowserContext, chromium } from 'playwright-core';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGE_DIR = path.join(PROJECT_ROOT, 'node_modules', '@sparticuz', 'chromium');
/** Unpacked once and kept (about 3 s the first time) inside the project, never left in /tmp. */
const UNPACK_ROOT = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'storyreel-chromium');

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

/**
 * The Chromium binary to drive: CHROMIUM_PATH if set (it must exist: a wrong path fails loudly,
 * never a silent skip), otherwise the packaged one, unpacked on first use.
 */
export async function chromiumExecutable(): Promise<string> {
  const override = process.env.CHROMIUM_PATH;
  if (override) {
    if (!existsSync(override)) {
      throw new Error(
        `CHROMIUM_PATH is ${override}, which does not exist. Point it at a Chromium binary, or unset it ` +
          'to use the Chromium that `npm ci` installs (@sparticuz/chromium).',
      );
    }
    return override;
  }
  return unpackPackagedChromium();
}

async function unpackPackagedChromium(): Promise<string> {
  if (!existsSync(PACKAGE_DIR)) {
    throw new Error(
      `The report test needs the devDependency @sparticuz/chromium, missing from ${PACKAGE_DIR}. ` +
        'Run `npm ci`, or set CHROMIUM_PATH to a Chromium binary.',
    );
  }
  const { version } = JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as {
    version: string;
  };
  const target = path.join(UNPACK_ROOT, version);
  const binary = path.join(target, 'chromium');
  if (existsSync(binary)) return binary;
  await mkdir(UNPACK_ROOT, { recursive: true });
  // The package unpacks into os.tmpdir(), which reads TMPDIR at each call: point it at a private
  // staging folder, then move the whole folder into place at once, so that two test processes
  // unpacking together never see (or leave) a half-written binary.
  const staging = await mkdtemp(path.join(UNPACK_ROOT, '.unpacking-'));
  const savedTmpdir = process.env.TMPDIR;
  try {
    process.env.TMPDIR = staging;
    await packagedChromium.executablePath();
  } finally {
    if (savedTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmpdir;
  }
  try {
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if (!existsSync(binary)) throw error; // not "another process was first": a real failure
  }
  return binary;
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh profile each time, so nothing cached from an earlier run can make a page look fine. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = await chromiumExecutable();
  const profile = await mkdtemp(path.join(os.tmpdir(), 'storyreel-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath,
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
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
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
