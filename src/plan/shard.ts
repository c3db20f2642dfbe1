/**
 * `--shard K/N`: which machine of a CI matrix generates a job. Pure: a job's shard is a function of
 * its key alone (a sha256 in hex), so the same job lands in the same shard whatever else the
 * storyboards hold, and the shards of one campaign never overlap.
 */

export interface Shard {
  /** 1-based: shard `index` of `count`. */
  index: number;
  count: number;
}

/** The problem with a `--shard` value, or undefined when it is right. */
export function shardProblem(text: string): string | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const fix = 'give it as K/N with 1 <= K <= N, e.g. --shard 1/3 ... --shard 3/3 on three machines';
  if (!match) return `--shard needs K/N (two whole numbers), got "${text}"; ${fix}.`;
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1) return `--shard ${text}: there must be at least one shard (N >= 1); ${fix}.`;
  if (index < 1 || index > count) return `--shard ${text}: K must be between 1 and ${count}; ${fix}.`;
  return undefined;
}

export function parseShard(text: string): Shard {
  const problem = shardProblem(text);
  if (problem) throw new Error(problem);
  const [index, count] = text.trim().split('/').map(Number) as [number, number];
  return { index, count };
}

/** The shard (1..count) of a job key: its first 13 hex digits (52 bits, exact in a double) mod count. */
export function shardOfKey(key: string, count: number): number {
  const value = Number.parseInt(key.slice(0, 13), 16);
  return (Number.isFinite(value) ? value % count : 0) + 1;
}

export function inShard(key: string, shard: Shard | undefined): boolean {
  return shard === undefined || shardOfKey(key, shard.count) === shard.index;
}

export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
