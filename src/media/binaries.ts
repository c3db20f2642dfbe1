/**
 * Where ffmpeg and ffprobe are. FFMPEG_PATH / FFPROBE_PATH win (a user with a newer build, or a test
 * pointing at a broken one); otherwise the binaries bundled by @ffmpeg-installer / @ffprobe-installer,
 * which install offline, unlike ffmpeg-static.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { MediaToolError } from '../errors.js';

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

/** The ffmpeg binary to run: $FFMPEG_PATH if set, else the bundled one. Throws MediaToolError if unusable. */
export function ffmpegPath(): string {
  return locate(FFMPEG);
}

/** The ffprobe binary to run: $FFPROBE_PATH if set, else the bundled one. Throws MediaToolError if unusable. */
export function ffprobePath(): string {
  return locate(FFPROBE);
}

function locate(binary: Binary): string {
  const override = process.env[binary.envVariable];
  if (override) {
    if (!isExecutableFile(override)) {
      throw new MediaToolError(
        `${binary.envVariable} is set to ${JSON.stringify(override)}, which is not an executable file. ` +
          `Point it at a working ${binary.tool} binary, or unset it to use the bundled ${binary.tool}.`,
      );
    }
    return override;
  }
  const bundled = bundledPath(binary);
  if (!bundled || !isExecutableFile(bundled)) {
    throw new MediaToolError(
      `the bundled ${binary.tool} (${binary.installerPackage}) is missing or not executable by this user` +
        `${bundled ? ` (${bundled})` : ''}. ${fixFor(binary, bundled)}`,
    );
  }
  return bundled;
}

/** Every tool, as it runs now. */
const TOOLS = [
  { binary: FFMPEG, locate: ffmpegPath },
  { binary: FFPROBE, locate: ffprobePath },
];

/**
 * Runs `ffmpeg -version` and `ffprobe -version`, and throws a MediaToolError naming each that does not
 * run and how to fix it. Checked before anything is paid for: a clip must never be thrown away (and
 * paid for again) because the tool that verifies it cannot start.
 */
export async function checkMediaTools(): Promise<void> {
  const problems = await Promise.all(TOOLS.map(({ binary, locate }) => toolProblem(binary, locate)));
  const found = problems.filter((problem) => problem !== undefined);
  if (found.length > 0) throw new MediaToolError(found.join('\n'));
}

/** Whether ffprobe runs now: a probe that failed is the file's fault only if the tool itself works. */
export async function ffprobeProblem(): Promise<string | undefined> {
  return toolProblem(FFPROBE, ffprobePath);
}

async function toolProblem(binary: Binary, locate: () => string): Promise<string | undefined> {
  let file: string;
  try {
    file = locate();
  } catch (error) {
    if (error instanceof MediaToolError) return error.message;
    throw error;
  }
  const result = await runVersion(file);
  if (!result) return undefined;
  const how =
    result.exitCode !== undefined
      ? `exit code ${result.exitCode}${firstLine(result.stderr)}`
      : (result.signal ?? result.code ?? 'it could not start');
  return `${binary.tool} (${file}) does not run: ${how}. ${fixFor(binary, process.env[binary.envVariable] ? undefined : file)}`;
}

interface VersionFailure {
  exitCode?: number;
  signal?: string;
  /** Why it could not start (ENOENT, EACCES...). */
  code?: string;
  stderr: string;
}

/**
 * `FILE -version`, undefined when it ran cleanly. node's execFile, not execa: this runs before a
 * first render's first submit, and execa is ~130 modules to load there.
 */
function runVersion(file: string): Promise<VersionFailure | undefined> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      ['-version'],
      { timeout: 60_000, maxBuffer: 1024 * 1024 },
      (error, _out, err) => {
        if (!error) return resolve(undefined);
        const { code, signal } = error as NodeJS.ErrnoException & { signal?: NodeJS.Signals | null };
        resolve({
          ...(typeof code === 'number' ? { exitCode: code } : {}),
          ...(signal ? { signal } : {}),
          ...(typeof code === 'string' ? { code } : {}),
          stderr: String(err ?? ''),
        });
      },
    );
    child.stdin?.end();
  });
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0];
  return line ? `: ${line.slice(0, 300)}` : '';
}

function fixFor(binary: Binary, bundled: string | undefined): string {
  const own = `set ${binary.envVariable} to a ${binary.tool} binary that runs`;
  return bundled
    ? `Make it executable for this user (chmod a+rx ${bundled}; node_modules installed by another user?), reinstall storyreel as this user, or ${own}.`
    : `Point ${binary.envVariable} at a working ${binary.tool} (check it with: "$${binary.envVariable}" -version), or unset it to use the bundled one.`;
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
