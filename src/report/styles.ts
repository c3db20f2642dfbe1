/**
 * The pages' only stylesheet, inlined so a report folder is self-contained: it opens from a CI
 * artifact, an email attachment or a file share with no network and nothing to fetch.
 */
export const STYLES = `
:root {
  --bg: #f5f6f8; --panel: #ffffff; --ink: #1b1f24; --muted: #5b6470; --line: #e2e5ea;
  --accent: #4338ca; --film: #0e1116;
  --good: #116329; --good-bg: #dcf5e3; --bad: #b42318; --bad-bg: #fde8e7;
  --warn: #8a5300; --warn-bg: #fff1cc; --busy: #0b5cad; --busy-bg: #dcecff;
  --idle: #4b5563; --idle-bg: #eceff3;
  --radius: 12px; --shadow: 0 1px 2px rgba(16, 24, 40, .06), 0 1px 3px rgba(16, 24, 40, .08);
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
a { color: var(--accent); }
code { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; word-break: break-all; }
.page { max-width: 1240px; margin: 0 auto; padding: 32px 24px 48px; }
.masthead { display: flex; flex-wrap: wrap; align-items: flex-start; justify-content: space-between; gap: 16px; }
.eyebrow { margin: 0 0 4px; color: var(--muted); font-size: 13px; letter-spacing: .04em; text-transform: uppercase; }
h1 { margin: 0; font-size: 30px; line-height: 1.2; letter-spacing: -.01em; }
h2 { margin: 0 0 14px; font-size: 19px; }
h3 { margin: 0; font-size: 16px; }
.meta-line { margin: 8px 0 0; color: var(--muted); }
.meta-line span + span::before { content: "·"; margin: 0 8px; color: #a0a7b1; }
.badge {
  display: inline-flex; align-items: center; gap: 6px; padding: 3px 10px; border-radius: 999px;
  font-size: 12.5px; font-weight: 600; white-space: nowrap;
}
.badge::before { content: ""; width: 7px; height: 7px; border-radius: 50%; background: currentColor; }
.badge.large { font-size: 14px; padding: 6px 14px; }
.tone-good { color: var(--good); background: var(--good-bg); }
.tone-bad { color: var(--bad); background: var(--bad-bg); }
.tone-warn { color: var(--warn); background: var(--warn-bg); }
.tone-busy { color: var(--busy); background: var(--busy-bg); }
.tone-idle { color: var(--idle); background: var(--idle-bg); }
.chip {
  display: inline-block; padding: 2px 8px; border-radius: 6px; font-size: 12px;
  background: var(--idle-bg); color: var(--idle);
}
.chip.reused { background: #ede9fe; color: #5b21b6; }
.chip.generated { background: #e0f2fe; color: #075985; }
.stats {
  display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; margin: 24px 0 0; padding: 0;
}
.stat { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 14px 16px; box-shadow: var(--shadow); }
.stat dt { color: var(--muted); font-size: 12.5px; }
.stat dd { margin: 2px 0 0; font-size: 21px; font-weight: 650; }
.stat dd small { display: block; font-size: 12px; font-weight: 400; color: var(--muted); }
section { margin-top: 36px; }
.film { background: var(--film); border-radius: var(--radius); padding: 16px; box-shadow: var(--shadow); }
.film video { display: block; width: 100%; max-height: 72vh; margin: 0 auto; background: #000; border-radius: 6px; }
.notice {
  border-radius: var(--radius); padding: 16px 18px; border: 1px solid; background: var(--warn-bg);
  border-color: #f3d27a; color: #5c3a00;
}
.notice p { margin: 4px 0 0; }
.sheet { margin: 0; background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 12px; box-shadow: var(--shadow); }
.sheet img { display: block; max-width: 100%; height: auto; margin: 0 auto; }
.sheet figcaption { margin-top: 8px; color: var(--muted); font-size: 13px; text-align: center; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 18px; }
.card {
  display: flex; flex-direction: column; background: var(--panel); border: 1px solid var(--line);
  border-radius: var(--radius); overflow: hidden; box-shadow: var(--shadow);
}
.card.is-bad { border-color: #f4b4ae; }
.thumb { position: relative; margin: 0; background: var(--film); aspect-ratio: 16 / 9; }
.thumb.portrait { aspect-ratio: 4 / 5; }
.thumb.square { aspect-ratio: 1 / 1; }
.thumb img { display: block; width: 100%; height: 100%; object-fit: contain; }
.thumb .number {
  position: absolute; right: 10px; bottom: 10px; padding: 2px 8px; border-radius: 6px;
  background: rgba(14, 17, 22, .78); color: #fff; font-weight: 700; font-size: 13px;
}
.no-clip {
  display: flex; height: 100%; align-items: center; justify-content: center; padding: 16px;
  color: #c2c8d0; font-size: 14px; text-align: center;
  background: repeating-linear-gradient(135deg, #1c2129 0 12px, #232933 12px 24px);
}
.card-body { display: flex; flex-direction: column; gap: 12px; padding: 14px 16px 16px; }
.card-head { display: flex; align-items: center; justify-content: space-between; gap: 8px; }
.card-head h3 code { font-size: 15px; font-weight: 700; word-break: normal; }
.tags { display: flex; flex-wrap: wrap; gap: 6px; }
.prompt { margin: 0; color: #2b323b; }
.finish-texts ul { margin: 2px 0 0; padding-left: 18px; }
.finish-texts li { margin: 1px 0; }
.finish-texts q { font-weight: 600; }
.label { display: block; color: var(--muted); font-size: 11.5px; font-weight: 600; letter-spacing: .05em; text-transform: uppercase; margin-bottom: 2px; }
.timeline { display: flex; gap: 2px; margin: 0; padding: 0; list-style: none; border-radius: 6px; overflow: hidden; }
.timeline li {
  min-width: 0; padding: 5px 6px; color: #fff; font-size: 12px; font-weight: 600;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
}
.ticks { display: flex; justify-content: space-between; color: var(--muted); font-size: 11.5px; margin-top: 3px; }
.shot-0 { background: #4338ca; } .shot-1 { background: #0f766e; } .shot-2 { background: #b45309; }
.shot-3 { background: #be123c; } .shot-4 { background: #0369a1; } .shot-5 { background: #6d28d9; }
.shot-list { margin: 8px 0 0; padding: 0; list-style: none; display: grid; gap: 6px; }
.shot-list li { display: grid; grid-template-columns: 12px 40px 1fr; gap: 8px; align-items: baseline; font-size: 13.5px; }
.swatch { width: 10px; height: 10px; border-radius: 3px; align-self: start; margin-top: 5px; }
.shot-list .secs { color: var(--muted); font-variant-numeric: tabular-nums; }
.facts { display: grid; grid-template-columns: auto 1fr; gap: 4px 14px; margin: 0; font-size: 13.5px; }
.facts dt { color: var(--muted); }
.take-list { list-style: none; margin: 6px 0 0; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(120px, 1fr)); gap: 8px; }
.take { border: 1px solid var(--line, #e5e7eb); border-radius: 8px; padding: 8px; display: grid; gap: 6px; }
.take.is-chosen { border-color: #0284c7; box-shadow: 0 0 0 1px #0284c7; }
.take video { display: block; width: 100%; aspect-ratio: 16 / 9; object-fit: contain; background: var(--film); }
.take .facts { font-size: 12px; grid-template-columns: 1fr; gap: 0; }
.take .facts dd { margin: 0 0 4px; overflow-wrap: anywhere; }
.facts dd { margin: 0; min-width: 0; }
.error { border-radius: 8px; background: var(--bad-bg); color: #7a1b12; padding: 10px 12px; font-size: 13.5px; white-space: pre-wrap; }
.footnote { margin-top: 36px; color: var(--muted); font-size: 13px; border-top: 1px solid var(--line); padding-top: 16px; }
.variants { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 18px; }
.variant-card { display: flex; flex-direction: column; }
.variant-card .sheet-link { display: block; aspect-ratio: 2 / 1; overflow: hidden; background: #fff; border-bottom: 1px solid var(--line); }
.variant-card .sheet-link img { display: block; width: 100%; height: 100%; object-fit: contain; }
.variant-card .card-body h3 a { color: inherit; text-decoration: none; }
.variant-card .card-body h3 a:hover { text-decoration: underline; }
@media (max-width: 640px) {
  .page { padding: 20px 14px 32px; }
  h1 { font-size: 24px; }
  .cards, .variants { grid-template-columns: 1fr; }
}
`;
