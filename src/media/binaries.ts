/**
 * Where ffmpeg and ffprobe are. FFMPEG_PATH / FFPROBE_PATH win (a user with a newer build, or a test
 * pointing at a broken one); otherwise the binaries bundled by @ffmpeg-installer / @ffprobe-installer,
 * which install offline, unlike ffmpeg-static.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { MediaError } from '../errors.js';

const require = createRequire(import.meta.url);

interface Binary {
  tool: 'ffmpeg' | 'ffprobe';
  envVariable: 'FFMPEG_PATH' | 'FFPROBE_PATH';
  installerPackage: string;
}

const FFMPEG: Binary = {
  tool: 'ffmpeg',
  envVariable: 'FFMPEG_PATH',
  installerPackage: '@ffmpeg-installer/ffmpeg',
};
const FFPROBE: Binary = {
  tool: 'ffprobe',
  envVariable: 'FFPROBE_PATH',
  installerPackage: '@ffprobe-installer/ffprobe',
};

/** The ffmpeg binary to run: $FFMPEG_PATH if set, else the bundled one. Throws MediaError if unusable. */
export function ffmpegPath(): string {
  return locate(FFMPEG);
}

/** The ffprobe binary to run: $FFPROBE_PATH if set, else the bundled one. Throws MediaError if unusable. */
export function ffprobePath(): string {
  return locate(FFPROBE);
}

function locate(binary: Binary): string {
  const override = process.env[binary.envVariable];
  if (override) {
    if (!isExecutableFile(override)) {
      throw new MediaError(
        `${binary.envVariable} is set to ${JSON.stringify(override)}, which is not an executable file. ` +
          `Point it at a working ${binary.tool} binary, or unset it to use the bundled ${binary.tool}.`,
      );
    }
    return override;
  }
  const bundled = bundledPath(binary);
  if (!bundled || !isExecutableFile(bundled)) {
    throw new MediaError(
      `the bundled ${binary.tool} (${binary.installerPackage}) is missing or not executable on this platform` +
        `${bundled ? ` (${bundled})` : ''}. Reinstall storyreel, or set ${binary.envVariable} to a ${binary.tool} binary.`,
    );
  }
  return bundled;
}

/** The installer packages throw (sometimes a bare string) when their platform binary is absent. */
function bundledPath(binary: Binary): string | undefined {
  try {
    const installed = require(binary.installerPackage) as { path?: unknown };
    return typeof installed.path === 'string' ? installed.path : undefined;
  } catch {
    return undefined;
  }
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
