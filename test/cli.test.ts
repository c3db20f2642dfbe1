import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

describe('the storyreel command', () => {
  it('prints help listing its commands and exits 0', async () => {
    const run = await runCli(['--help']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('Usage: storyreel');
  });

  it('refuses an unknown option with exit code 2', async () => {
    const run = await runCli(['--no-such-option']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("unknown option '--no-such-option'");
  });
});
