// `npm run bench`: the library's speed and cost figures, measured in one run and printed (never asserted in tests).
import { callFigures } from './bench-calls';
import { cliFigures } from './bench-cli';
import { demandFigures } from './bench-demand';
import { deployFigures } from './bench-deploy';
import { scaleFigures } from './bench-scale';
import { swapFigures } from './bench-swap';

function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
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
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
