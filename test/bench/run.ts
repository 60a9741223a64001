// `npm run bench`: the benchmarks of test/bench, printed as a table and written to
// test/bench/results.json. Not part of `npm test`. BENCH_REPEATS sets the runs per figure.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { benchSynth, formatSynth, SynthResult } from './synth';

const repeats = Number(process.env.BENCH_REPEATS ?? 5);

function main(): void {
  const synth: SynthResult[] = [
    ...benchSynth(50, repeats, false),
    ...benchSynth(50, Math.max(3, Math.floor(repeats / 2)), true),
  ];
  console.log(`\nSynthesis: 50 Node.js functions, median of ${repeats} runs (3 with validation), each run a fresh process\n`);
  console.log(formatSynth(synth));
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version };
  const file = path.join(__dirname, 'results.json');
  fs.writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), machine, synth }, null, 2) + '\n');
  console.log(`\nWritten to ${path.relative(process.cwd(), file)}`);
}

main();
