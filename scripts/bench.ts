// `npm run bench`: the library's speed and cost figures, measured in one run and printed (never asserted in tests).
// What it prints is also written to docs/bench-output.txt, which is committed: the README and docs/ quote their
// figures from there, and test/docs.test.ts checks every quoted figure against that file.
import * as fs from 'fs';
import * as path from 'path';
import { callFigures } from './bench-calls';
import { cliFigures } from './bench-cli';
import { demandFigures } from './bench-demand';
import { deployFigures } from './bench-deploy';
import { scaleFigures } from './bench-scale';
import { shapeFigures } from './bench-shapes';
import { swapFigures } from './bench-swap';

const OUTPUT = path.join(__dirname, '..', 'docs', 'bench-output.txt');
const printed: string[] = [];

function out(line = ''): void {
  printed.push(line);
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  await shapeFigures(out);
  out();
  await scaleFigures(out);
  out();
  await deployFigures(out);
  out();
  await swapFigures(out);
  out();
  await demandFigures(out);
  out();
  await callFigures(out);
  out();
  await cliFigures(out);
  fs.mkdirSync(path.dirname(OUTPUT), { recursive: true });
  fs.writeFileSync(OUTPUT, `${printed.join('\n')}\n`);
  process.stderr.write(`bench: wrote ${path.relative(process.cwd(), OUTPUT)}\n`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
