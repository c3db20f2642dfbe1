import { describe, expect, it } from 'vitest';
import { layoutCards, textMetrics, wrapText } from '../../src/media/cards.js';
import { filterValue } from '../../src/media/filtergraph.js';
import { concatList, synthesisArgs } from '../../src/media/recipes.js';

describe('concat list escaping', () => {
  it('quotes every path and escapes single quotes the way the concat demuxer reads them', () => {
    expect(concatList(["/a b/it's.mp4", '/c/"d", [e].mp4'])).toBe(
      "file '/a b/it'\\''s.mp4'\nfile '/c/\"d\", [e].mp4'\n",
    );
  });
});

describe('filtergraph escaping', () => {
  it('escapes a value for the option level, then for the graph level', () => {
    expect(filterValue('/plain/path.ttf')).toBe('/plain/path.ttf');
    expect(filterValue('C:/x')).toBe('C\\\\:/x');
    expect(filterValue("it's")).toBe("it\\\\\\'s");
    expect(filterValue('a,b;[c]')).toBe('a\\,b\\;\\[c\\]');
  });
});

describe('the synthesis recipe', () => {
  const base = { output: 'out.mp4', width: 320, height: 180, fps: 24, durationSec: 3, cards: [] };
  const card = { durationSec: 3, background: '0x112233', toneHz: 440, texts: [] };

  it('has no audio stream without sound, an AAC 48 kHz stereo one with it', () => {
    const silent = synthesisArgs({ ...base, sound: false, cards: [card] });
    expect(silent).toContain('-an');
    expect(silent).not.toContain('aac');
    const withSound = synthesisArgs({ ...base, sound: true, cards: [card] });
    expect(withSound.join(' ')).toContain('-c:a aac -b:a 128k -ar 48000 -ac 2');
  });

  it('never puts prompt text in the arguments, only a text file with expansion off', () => {
    const args = synthesisArgs({
      ...base,
      sound: false,
      fontFile: '/f.ttf',
      cards: [{ ...card, texts: [{ file: '/t/0-body.txt', fontSize: 10, lineSpacing: 2, x: '0', y: '0' }] }],
    });
    const graph = args[args.indexOf('-filter_complex') + 1]!;
    expect(graph).toContain('textfile=/t/0-body.txt');
    expect(graph).toContain('expansion=none');
  });
});

describe('card layout', () => {
  it('fills the clip exactly, whatever the shots add up to', () => {
    const metrics = textMetrics(1280, 720);
    const sum = (cards: { durationSec: number }[]) => cards.reduce((total, c) => total + c.durationSec, 0);
    const shots = (...durations: number[]) => durations.map((duration) => ({ prompt: 'p', duration }));
    expect(layoutCards(10, shots(3, 7), metrics).map((c) => c.durationSec)).toEqual([3, 7]);
    expect(sum(layoutCards(10, shots(3, 3), metrics))).toBe(10);
    expect(layoutCards(5, shots(3, 4, 4), metrics).map((c) => c.durationSec)).toEqual([3, 2]);
    expect(layoutCards(5, [], metrics).map((c) => c.durationSec)).toEqual([5]);
  });

  it('numbers the shots and gives consecutive shots different colours', () => {
    const cards = layoutCards(
      6,
      [
        { prompt: 'a', duration: 3 },
        { prompt: 'b', duration: 3 },
      ],
      textMetrics(1280, 720),
    );
    expect(cards.map((c) => c.header)).toEqual(['Shot 1/2 · 3 s', 'Shot 2/2 · 3 s']);
    expect(cards[0]!.background).not.toBe(cards[1]!.background);
  });

  it('names the scene and its number on every card', () => {
    const cards = layoutCards(
      6,
      [
        { prompt: 'a', duration: 3 },
        { prompt: 'b', duration: 3 },
      ],
      textMetrics(1280, 720),
      { scene: { id: 'closeup', number: 2 } },
    );
    expect(cards.map((c) => c.header)).toEqual([
      'Scene 2 · closeup · Shot 1/2 · 3 s',
      'Scene 2 · closeup · Shot 2/2 · 3 s',
    ]);
  });

  it('shows a long prompt whole, in smaller type, instead of cutting it', () => {
    const words = Array.from({ length: 110 }, (_, index) => `word${index}`);
    const prompt = words.join(' ');
    const metrics = textMetrics(1280, 720);
    const [card] = layoutCards(5, [{ prompt, duration: 5 }], metrics);
    expect(card!.body).not.toContain('…');
    expect(card!.body.split(/\s+/)).toEqual(words);
    expect(card!.bodySize).toBeLessThan(metrics.bodySize);
    expect(card!.bodySize).toBeGreaterThanOrEqual(metrics.minBodySize);
    const [short] = layoutCards(5, [{ prompt: 'A short prompt', duration: 5 }], metrics);
    expect(short!.bodySize).toBe(metrics.bodySize);
  });

  it('wraps words to the line length and ends overlong text with an ellipsis', () => {
    expect(wrapText('one two three four', 9, 5)).toBe('one two\nthree\nfour');
    expect(wrapText('abcdefghij', 4, 5)).toBe('abcd\nefgh\nij');
    expect(wrapText('aa bb cc dd', 5, 1)).toBe('aa b…');
  });
});
