// Issue 10, item 8: every TypeScript block of the README compiles as written, each as a whole program that imports the
// package by its published name (mapped here to lib/), with the project's strict compiler options.
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const root = path.join(__dirname, '..');

function readmeBlocks(): { line: number; code: string }[] {
  const lines = fs.readFileSync(path.join(root, 'README.md'), 'utf8').split('\n');
  const blocks: { line: number; code: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```ts') continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end].trim() !== '```') end++;
    blocks.push({ line: start + 1, code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return blocks;
}

describe('README examples', () => {
  const blocks = readmeBlocks();

  test('the README has whole TypeScript examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    // A CDK app imports the package; a client program (the version-swap section's detector) imports the AWS SDK.
    for (const b of blocks) expect(b.code).toMatch(/^import .* from '(cdk-rekognition-custom-labels|@aws-sdk\/client-[a-z-]+)';$/m);
    expect(blocks.filter((b) => /from 'cdk-rekognition-custom-labels'/.test(b.code)).length).toBeGreaterThanOrEqual(3);
  });

  test('every TypeScript block compiles as written', () => {
    // Inside the project, so that aws-cdk-lib resolves from its node_modules as it would in a user's app.
    const dir = fs.mkdtempSync(path.join(root, '.readme-examples-'));
    try {
      const files = blocks.map((b) => {
        const file = path.join(dir, `readme-line-${b.line}.ts`);
        fs.writeFileSync(file, b.code);
        return file;
      });
      const config = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
      const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
      const program = ts.createProgram(files, {
        ...options,
        noEmit: true,
        noUnusedLocals: false, // an example may declare what it only shows
        baseUrl: root,
        paths: { 'cdk-rekognition-custom-labels': ['lib/index.ts'] },
        typeRoots: [path.join(root, 'node_modules', '@types')],
      });
      const problems = ts.getPreEmitDiagnostics(program)
        .filter((d) => d.file && files.includes(path.resolve(d.file.fileName)))
        .map((d) => {
          const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
          const block = Number(/readme-line-(\d+)/.exec(d.file!.fileName)![1]);
          return `README.md:${block + line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
        });
      expect(problems).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
