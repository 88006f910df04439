// Preloaded into each CLI run of the hostile tests (node --import): on exit, writes the process's peak
// RSS in KiB to the file IRSA2PI_PEAK_FILE names, so that a test can bound the memory a case took.
import { writeFileSync } from 'node:fs';

const file = process.env.IRSA2PI_PEAK_FILE;
if (file)
  process.on('exit', () => {
    writeFileSync(file, String(process.resourceUsage().maxRSS));
  });
