/**
 * Where everything lives on disk. Every path storyreel writes is built here, nowhere else.
 *
 *   <out>/.storyreel/jobs/<key>.json    one journal record per distinct job (shared by variants)
 *   <out>/.storyreel/clips/<key>.mp4    content-addressed clip store (what a CI cache keeps)
 *   <out>/.storyreel/lock               held while a render or cancel runs on this output folder
 *   <out>/.storyreel/lock/owner.json    who holds it (pid, host, command), to refuse clearly or take over
 *   <out>/<storyboard>/<variant>/film.mp4, clips/NN-<scene>.mp4, report.json, report.html
 */
import path from 'node:path';

export interface OutputLayout {
  root: string;
  stateDir: string;
  jobsDir: string;
  storeDir: string;
  lockTarget: string;
  lockOwner: string;
  jobRecord(key: string): string;
  storedClip(key: string): string;
  variantDir(storyboard: string, variant: string): string;
  variantClip(storyboard: string, variant: string, clipName: string): string;
  film(storyboard: string, variant: string): string;
  reportJson(storyboard: string, variant: string): string;
  reportHtml(storyboard: string, variant: string): string;
}

export function outputLayout(outDir: string): OutputLayout {
  const root = path.resolve(outDir);
  const stateDir = path.join(root, '.storyreel');
  const jobsDir = path.join(stateDir, 'jobs');
  const storeDir = path.join(stateDir, 'clips');
  const variantDir = (storyboard: string, variant: string) => path.join(root, storyboard, variant);
  return {
    root,
    stateDir,
    jobsDir,
    storeDir,
    lockTarget: path.join(stateDir, 'lock'),
    lockOwner: path.join(stateDir, 'lock', 'owner.json'),
    jobRecord: (key) => path.join(jobsDir, `${key}.json`),
    storedClip: (key) => path.join(storeDir, `${key}.mp4`),
    variantDir,
    variantClip: (storyboard, variant, clipName) =>
      path.join(variantDir(storyboard, variant), 'clips', clipName),
    film: (storyboard, variant) => path.join(variantDir(storyboard, variant), 'film.mp4'),
    reportJson: (storyboard, variant) => path.join(variantDir(storyboard, variant), 'report.json'),
    reportHtml: (storyboard, variant) => path.join(variantDir(storyboard, variant), 'report.html'),
  };
}
