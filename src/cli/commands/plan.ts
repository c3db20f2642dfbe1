import type { Command } from 'commander';
import type { CliContext } from '../context.js';

// Placeholder until the command lands; replaced by its owner.
export function registerPlan(_program: Command, _context: CliContext): void {}
