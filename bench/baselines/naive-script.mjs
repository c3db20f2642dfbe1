// The ~50-line script a user writes instead of storyreel (issue 17's baseline): submit every scene at
// once, poll each every POLL seconds, download, concat with ffmpeg. No journal, no verification, no
// request cap, no retries. Usage: node naive-script.mjs PROMPTS_FILE OUT_DIR POLL_SECONDS [IN_FLIGHT]
// (RUNCOMFY_BASE_URL, RUNCOMFY_API_TOKEN, FFMPEG_PATH from the environment). IN_FLIGHT: at most that
// many scenes submitted and unfinished at once (what `--concurrency` promises), instead of all.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [promptsFile, outDir, pollText, inFlightText] = process.argv.slice(2);
const base = process.env.RUNCOMFY_BASE_URL;
const headers = {
  Authorization: `Bearer ${process.env.RUNCOMFY_API_TOKEN}`,
  'Content-Type': 'application/json',
};
const model = 'kling/kling-3.0/standard/text-to-video';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function api(method, url, body) {
  const response = await fetch(url, { method, headers, body: body && JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${url}: HTTP ${response.status}`);
  return response.json();
}

async function scene(prompt, index) {
  const payload = { prompt, duration: 3, aspect_ratio: '16:9', sound: true };
  const { request_id } = await api('POST', `${base}/v1/models/${model}`, payload);
  for (;;) {
    await sleep(Number(pollText) * 1000);
    const { status } = await api('GET', `${base}/v1/requests/${request_id}/status`);
    if (status === 'completed') break;
    if (status === 'failed' || status === 'cancelled') throw new Error(`scene ${index}: ${status}`);
  }
  const result = await api('GET', `${base}/v1/requests/${request_id}/result`);
  const video = await fetch(result.output.video);
  const file = path.join(outDir, `clip${String(index).padStart(4, '0')}.mp4`);
  writeFileSync(file, Buffer.from(await video.arrayBuffer()));
  return file;
}

mkdirSync(outDir, { recursive: true });
const prompts = readFileSync(promptsFile, 'utf8').split('\n').filter(Boolean);
const files = [];
let next = 0;
async function worker() {
  while (next < prompts.length) {
    const index = next++;
    files[index] = await scene(prompts[index], index);
  }
}
const workers = inFlightText === undefined ? prompts.length : Number(inFlightText);
if (!Number.isInteger(workers) || workers < 1)
  throw new Error(`IN_FLIGHT must be a whole number above 0, not ${inFlightText}`);
await Promise.all(Array.from({ length: Math.min(workers, prompts.length) }, worker));
const list = path.join(outDir, 'list.txt');
writeFileSync(list, files.map((file) => `file '${file}'`).join('\n'));
const ffmpeg = process.env.FFMPEG_PATH ?? 'ffmpeg';
execFileSync(ffmpeg, [
  '-v',
  'error',
  '-y',
  '-f',
  'concat',
  '-safe',
  '0',
  '-i',
  list,
  '-c',
  'copy',
  path.join(outDir, 'film.mp4'),
]);
console.log(`film.mp4 from ${files.length} clips`);
