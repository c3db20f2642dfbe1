/**
 * The report summarises what the runner recorded (job/: states, records, money); it does not reach
 * back up into the runner or the command line, so it can be drawn from a journal alone.
 */
import { describe, expect, it } from 'vitest';
import { directImports, folderOf, fromSrc, modulesOf } from '../helpers/import-graph.js';

describe('report/', () => {
  it('imports nothing from run/ or cli/', () => {
    const upward = directImports(modulesOf('report'))
      .filter(({ resolved }) => resolved && ['run', 'cli'].includes(folderOf(resolved)))
      .map(({ file, resolved }) => `${fromSrc(file)} imports ${fromSrc(resolved as string)}`);
    expect(upward).toEqual([]);
  });

  it('is read from real imports (it reaches the job records it summarises)', () => {
    const folders = directImports(modulesOf('report')).flatMap(({ resolved }) =>
      resolved ? [folderOf(resolved)] : [],
    );
    expect(folders).toContain('job');
  });
});
