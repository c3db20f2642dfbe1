// Preloaded into the CLI by the bench (NODE_OPTIONS=--import): at exit, writes the process's peak
// resident set size (getrusage ru_maxrss, kept exactly by the kernel) and its CPU time to
// STORYREEL_BENCH_USAGE_FILE. CPU time barely depends on what else the shared machine is doing.
import { writeFileSync } from 'node:fs';

const file = process.env.STORYREEL_BENCH_USAGE_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    const figures = {
      maxRssBytes: usage.maxRSS * 1024,
      cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
    };
    writeFileSync(file, JSON.stringify(figures));
  });
}
