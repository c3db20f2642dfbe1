import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

describe('the storyreel command', () => {
  it('prints help listing its commands and exits 0', async () => {
    const run = await runCli(['--help']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('Usage: storyreel');
  });

  it("says each command's --variant default once, as the name default, and no empty list", async () => {
    for (const command of ['render', 'plan', 'status', 'cancel', 'mock-server']) {
      const run = await runCli([command, '--help']);
      expect(run.exitCode).toBe(0);
      const help = run.stdout.replace(/\s+/g, ' ');
      expect(help).not.toContain('(default: [])');
      if (command === 'mock-server') continue;
      expect(help).toMatch(/--variant <name> [^-]*\(default: default\)/);
      expect(help.match(/default: default/g)).toHaveLength(1);
    }
  });

  it('refuses an unknown option with exit code 2', async () => {
    const run = await runCli(['--no-such-option']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("unknown option '--no-such-option'");
  });
});
