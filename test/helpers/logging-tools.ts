/** ffmpeg and ffprobe wrappers for the CLI's children: each run is logged (with its last argument: the file it reads or writes) before it runs. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ffmpegPath, ffprobePath } from '../../src/media/binaries.js';

export interface LoggingTools {
  /** FFMPEG_PATH and FFPROBE_PATH pointing at the wrappers. */
  env: Record<string, string>;
  /** `ffmpeg <last argument>` or `ffprobe <last argument>`, one per run, in order. */
  runs(): Promise<string[]>;
}

export async function loggingTools(dir: string): Promise<LoggingTools> {
  const log = path.join(dir, 'tool-runs.log');
  await writeFile(log, '');
  const wrap = async (name: string, real: string) => {
    const script = path.join(dir, `logging-${name}.sh`);
    await writeFile(
      script,
      `#!/bin/sh\nfor last; do :; done\necho "${name} $last" >> "${log}"\nexec "${real}" "$@"\n`,
      {
        mode: 0o755,
      },
    );
    return script;
  };
  return {
    env: {
      FFPROBE_PATH: await wrap('ffprobe', ffprobePath()),
      FFMPEG_PATH: await wrap('ffmpeg', ffmpegPath()),
    },
    runs: async () => (await readFile(log, 'utf8')).split('\n').filter(Boolean),
  };
}
