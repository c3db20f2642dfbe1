// Preloaded into the CLI by the bench (NODE_OPTIONS=--import): at exit, writes the process's peak
// resident set size (getrusage ru_maxrss, which the kernel keeps exactly) to STORYREEL_BENCH_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.STORYREEL_BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    writeFileSync(file, String(process.resourceUsage().maxRSS * 1024));
  });
}
