// The example app (bin/example-app.ts) synthesized as `npm run synth` runs it: in this process, with cdk.json's
// context and an assembly directory of its own, then summarized by scripts/summarize-synth.js as the command prints it.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

export interface SynthesizedExample {
  /** The cloud assembly's directory (removed by `remove()`). */
  readonly outdir: string;
  /** What `npm run synth` prints after the CDK CLI's own lines: the summary of the assembly. */
  readonly summary: string;
  remove(): void;
}

export function synthesizeExampleApp(): SynthesizedExample {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'example-app-'));
  const saved = { CDK_CONTEXT_JSON: process.env.CDK_CONTEXT_JSON, CDK_OUTDIR: process.env.CDK_OUTDIR, CDK_VALIDATION: process.env.CDK_VALIDATION };
  // As the CDK CLI runs the app: cdk.json's context, the assembly directory.
  process.env.CDK_CONTEXT_JSON = JSON.stringify(JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).context);
  process.env.CDK_OUTDIR = outdir;
  process.env.CDK_VALIDATION = 'false';
  try {
    jest.isolateModules(() => {
      require('../../bin/example-app');
    });
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  const summarized = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'summarize-synth.js'), outdir], { encoding: 'utf8' });
  if (summarized.status !== 0) throw new Error(`summarize-synth.js failed: ${summarized.stderr}`);
  return { outdir, summary: summarized.stdout, remove: () => fs.rmSync(outdir, { recursive: true, force: true }) };
}
