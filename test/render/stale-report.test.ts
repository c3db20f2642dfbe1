/**
 * report.html, the contact sheet and the thumbnails always describe the render whose report.json is
 * beside them: when the pictures cannot be made again, the older ones go and the page is rewritten.
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { readReport, renderArgs, workspace, writeStoryboard } from './support.js';

describe('a report whose pictures cannot be made again', () => {
  it('leaves no contact sheet or page of the earlier render beside the new report.json', async () => {
    const ws = await workspace();
    const variantDir = path.join(ws.out, 'film', 'default');
    const file = await writeStoryboard(ws.dir, [{ id: 'opening', prompt: 'the first take' }]);
    const first = await runCli(renderArgs(file, ws.out, '--provider', 'preview'));
    expect(first.exitCode).toBe(0);
    expect(existsSync(path.join(variantDir, 'contact-sheet.jpg'))).toBe(true);

    // The scene is edited; its thumbnail cannot be written any more (thumbs/ became a file, as a
    // full disk or a clip ffmpeg cannot read would make it fail).
    await writeStoryboard(ws.dir, [{ id: 'opening', prompt: 'the second take' }]);
    await rm(path.join(variantDir, 'thumbs'), { recursive: true });
    await writeFile(path.join(variantDir, 'thumbs'), 'not a folder');
    const second = await runCli(renderArgs(file, ws.out, '--provider', 'preview'));
    expect(second.exitCode).toBe(0);
    expect(second.stderr).toContain('report.html for');
    expect(second.stderr).toContain('it was written without its pictures (the older ones were removed)');

    expect((await readReport(ws.out, 'film')).scenes[0]!.prompt).toBe('the second take');
    expect(existsSync(path.join(variantDir, 'contact-sheet.jpg'))).toBe(false);
    const page = await readFile(path.join(variantDir, 'report.html'), 'utf8');
    expect(page).toContain('the second take');
    expect(page).not.toContain('the first take');
    expect(page).not.toContain('contact-sheet.jpg');
  });
});
