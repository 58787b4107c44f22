// Issue 10, item 8: every TypeScript block of the README compiles as written, each as a whole program that imports the
// package by its published name (mapped here to lib/), with the project's strict compiler options. Issue 24: and every
// TypeScript block of docs/*.md and CONTRIBUTING.md, where the README's details moved.
import { execFile, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { CHILD_ENV, packTarball, PKG, run, tail } from './support/fresh-app';

const root = path.join(__dirname, '..');

/** The Markdown files whose TypeScript blocks must compile: the README, CONTRIBUTING.md and every docs/*.md. */
function docFiles(): string[] {
  const docs = fs.existsSync(path.join(root, 'docs'))
    ? fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)
    : [];
  return ['README.md', 'CONTRIBUTING.md', ...docs].filter((f) => fs.existsSync(path.join(root, f)));
}

/** Every ```ts block of the docs, with the file and the line it begins on. */
function docBlocks(): { doc: string; line: number; code: string }[] {
  return docFiles().flatMap((doc) => readmeBlocks(doc).map((b) => ({ doc, ...b })));
}

function readmeBlocks(file = 'README.md'): { line: number; code: string }[] {
  const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n');
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

  test('every TypeScript block in the README and docs compiles', () => {
    const all = docBlocks();
    // The docs beyond the README have examples too (the batch-window, swap and Control Tower ones).
    expect(all.filter((b) => b.doc !== 'README.md').length).toBeGreaterThanOrEqual(3);
    // Inside the project, so that aws-cdk-lib resolves from its node_modules as it would in a user's app.
    const dir = fs.mkdtempSync(path.join(root, '.readme-examples-'));
    const fileName = (b: { doc: string; line: number }) => `${b.doc.replace(/[^A-Za-z0-9]+/g, '_')}-line-${b.line}.ts`;
    try {
      const files = all.map((b) => {
        const file = path.join(dir, fileName(b));
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
          const block = all.find((b) => fileName(b) === path.basename(d.file!.fileName))!;
          return `${block.doc}:${block.line + line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
        });
      expect(problems).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Issue 22, item 5: every example runs as written. The library is packed as npm publish would pack it and installed in
// an empty directory by the README's own install commands (its Install section, the tarball's path for the package's
// name), with nothing else. Every TypeScript block of the README and every `@example` of the public API (from the
// built .jsii) is written there as a file, all are type-checked in one run of the repo's TypeScript against the
// installed package's declarations, and each is run with node as `cdk synth` runs an app (CDK_OUTDIR set, so that
// the App synthesizes when the program ends). Every AWS::Lambda::Function they synthesize must ship code that Lambda
// can run: its Handler's file is there, passes `node --check`, and exports the handler when loaded in a child node
// process (with the AWS SDK for JavaScript v3, which Lambda's Node.js runtimes provide, resolved from the repo).
describe('README and @example blocks in a fresh app', () => {
  /** What a block's file is, and where its lines come from. */
  interface Example {
    /** Where it is written: README.md:<line> or the API element's jsii name. */
    readonly origin: string;
    /** The file's base name in the app (no extension). */
    readonly file: string;
    /** The code as the README or the API documents it. */
    readonly code: string;
    /** An @example leaves out the import of the package's own names (jsii-rosetta's convention). */
    readonly api: boolean;
  }

  const OUT = 'out';
  let work: string;
  let appDir: string;
  let installCommands: string[][];
  let examples: Example[];

  /** The README's commands for the app: the Install section's sh lines from `# in your CDK app` on, comments cut. */
  function readmeInstallCommands(tarball: string): string[][] {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const section = /^## Install\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? '';
    const commands: string[][] = [];
    for (const block of section.matchAll(/^```sh\n([\s\S]*?)^```/gm)) {
      let inApp = false;
      for (const line of block[1].split('\n')) {
        if (/^#/.test(line.trim())) {
          inApp = /^# in your CDK app/.test(line.trim());
          continue;
        }
        const command = line.replace(/\s+#.*$/, '').trim();
        if (!inApp || command === '') continue;
        if (/["'`$|;&<>\\]/.test(command)) throw new Error(`README Install: not a plain command this test can run: ${command}`);
        const argv = command.split(/\s+/).map((arg) => {
          const packed = `${PKG.name}-${PKG.version}.tgz`;
          if (arg === PKG.name || arg === packed || arg.endsWith(`/${packed}`)) return tarball;
          if (arg.endsWith('.tgz') && path.basename(arg).startsWith(`${PKG.name}-`)) {
            throw new Error(`README Install: ${arg} is not what npm pack writes for version ${PKG.version} (${packed})`);
          }
          return arg;
        });
        commands.push(argv);
      }
    }
    return commands;
  }

  /** Every `@example` of the public API: the types' and their members' docs in the built .jsii. */
  function apiExamples(): { origin: string; code: string }[] {
    const assembly = JSON.parse(fs.readFileSync(path.join(root, '.jsii'), 'utf8')) as {
      types: Record<string, { docs?: { example?: string }; initializer?: { docs?: { example?: string } };
        methods?: { name: string; docs?: { example?: string } }[]; properties?: { name: string; docs?: { example?: string } }[] }>;
    };
    const found: { origin: string; code: string }[] = [];
    for (const [fqn, type] of Object.entries(assembly.types)) {
      if (type.docs?.example) found.push({ origin: `@example ${fqn}`, code: type.docs.example });
      if (type.initializer?.docs?.example) found.push({ origin: `@example ${fqn}.constructor`, code: type.initializer.docs.example });
      for (const member of [...(type.methods ?? []), ...(type.properties ?? [])]) {
        if (member.docs?.example) found.push({ origin: `@example ${fqn}.${member.name}`, code: member.docs.example });
      }
    }
    return found;
  }

  /** The package's exported names, for the import an @example leaves out. */
  function exportedNames(): string[] {
    const assembly = JSON.parse(fs.readFileSync(path.join(root, '.jsii'), 'utf8')) as { types: Record<string, { name: string; namespace?: string }> };
    return Object.values(assembly.types).filter((t) => !t.namespace).map((t) => t.name);
  }

  /**
   * The file as it is compiled and run: one line in front (the package's names an @example uses, and the fixture when
   * it declares values), and each `declare const x: T;` given a value of T by the fixture, on its own line.
   */
  function asFile(example: Example, names: string[]): string {
    const lines = example.code.split('\n');
    const declared = /^declare const (\w+): ([\w.<>[\]| ]+);\s*$/;
    const prefix: string[] = [];
    if (example.api) {
      const imported = new Set([...example.code.matchAll(/^import \{([^}]*)\} from/gm)].flatMap((m) => m[1].split(',').map((n) => n.trim())));
      const used = names.filter((n) => !imported.has(n) && new RegExp(`\\b${n}\\b`).test(example.code));
      if (used.length > 0) prefix.push(`import { ${used.join(', ')} } from '${PKG.name}';`);
    }
    if (lines.some((l) => declared.test(l))) prefix.push("import { fixture as exampleFixture } from './example-fixture';");
    return [prefix.join(' '), ...lines.map((l) => l.replace(declared, "const $1: $2 = exampleFixture('$1', '$2');"))].join('\n');
  }

  /** Values for what an example declares, by type (its last name: `lambda.IFunction` is `IFunction`), in one stack. */
  const FIXTURE = [
    "import { App, Stack } from 'aws-cdk-lib';",
    "import * as kms from 'aws-cdk-lib/aws-kms';",
    "import * as lambda from 'aws-cdk-lib/aws-lambda';",
    "import * as sqs from 'aws-cdk-lib/aws-sqs';",
    '',
    'let stack: Stack | undefined;',
    "const theStack = (): Stack => (stack ??= new Stack(new App(), 'Example', { env: { account: '123456789012', region: 'us-east-1' } }));",
    'const MAKE: Record<string, (id: string) => unknown> = {',
    '  Stack: () => theStack(),',
    "  IFunction: (id) => new lambda.Function(theStack(), id, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({});') }),",
    '  IQueue: (id) => new sqs.Queue(theStack(), id, { enforceSSL: true }),',
    '  Key: (id) => new kms.Key(theStack(), id, { enableKeyRotation: true }),',
    '};',
    '',
    '// eslint-disable-next-line @typescript-eslint/no-explicit-any',
    'export function fixture(name: string, type: string): any {',
    "  const make = MAKE[type.replace(/^.*\\./, '')];",
    "  if (!make) throw new Error(`no fixture for \\`declare const ${name}: ${type}\\`: add one to test/readme-examples.test.ts`);",
    '  return make(name);',
    '}',
    '',
  ].join('\n');

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-rekognition-custom-labels-examples-'));
    const { tarball } = packTarball(work);

    // An empty directory, set up by the README's install commands and nothing else.
    appDir = path.join(work, 'app');
    fs.mkdirSync(appDir);
    installCommands = readmeInstallCommands(tarball);
    for (const [command, ...args] of installCommands) {
      if (command !== 'npm') throw new Error(`README Install: only npm commands run here, not ${command}`);
      run(command, args[0] === 'install' ? [...args, '--prefer-offline', '--no-audit', '--no-fund'] : args, appDir);
    }

    const names = exportedNames();
    examples = [
      ...docBlocks().map((b) => ({ origin: `${b.doc}:${b.line}`, file: `${b.doc.replace(/[^A-Za-z0-9]+/g, '_')}-line-${b.line}`, code: b.code, api: false })),
      ...apiExamples().map((e, i) => ({ origin: e.origin, file: `api-example-${i}`, code: e.code, api: true })),
    ];
    for (const e of examples) fs.writeFileSync(path.join(appDir, `${e.file}.ts`), asFile(e, names));
    fs.writeFileSync(path.join(appDir, 'example-fixture.ts'), FIXTURE);
  }, 300_000);

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('every README and @example block compiles in a fresh app and ships runnable code', async () => {
    // The install commands are the README's, and they install the packed package.
    expect(installCommands.some((argv) => argv[0] === 'npm' && argv[1] === 'install' && argv.some((a) => a.endsWith('.tgz')))).toBe(true);
    expect(fs.realpathSync(require.resolve(PKG.name, { paths: [appDir] })))
      .toBe(fs.realpathSync(path.join(appDir, 'node_modules', PKG.name, 'lib', 'index.js')));
    expect(examples.filter((e) => !e.api).length).toBeGreaterThanOrEqual(3);
    expect(examples.filter((e) => e.api).length).toBeGreaterThanOrEqual(1);

    // 1. One type-check of every block, with the repo's strict options, against what the README installed.
    const config = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
    const compilerOptions = {
      ...config.config.compilerOptions,
      types: undefined, // the app's own @types, as in an app `cdk init` makes
      noEmit: false,
      noUnusedLocals: false, // an example may declare what it only shows
      outDir: OUT,
      rootDir: '.',
    };
    fs.writeFileSync(path.join(appDir, 'tsconfig.json'), JSON.stringify({
      compilerOptions,
      files: ['example-fixture.ts', ...examples.map((e) => `${e.file}.ts`)],
    }, undefined, 2));
    const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', appDir, '--pretty', 'false'],
      { cwd: appDir, env: CHILD_ENV, encoding: 'utf8' });
    const compileProblems = tsc.stdout.split('\n').filter((l) => /error TS/.test(l)).map((l) => {
      const m = /^([\w-]+)\.ts\((\d+),\d+\): (.*)$/.exec(l);
      const e = m && examples.find((x) => x.file === m[1]);
      if (!m || !e) return l;
      const line = Number(m[2]) - 1; // the line put in front
      return e.api ? `${e.origin}, line ${line}: ${m[3]}` : `${e.origin.split(':')[0]}:${Number(e.origin.split(':')[1]) + line - 1}: ${m[3]}`;
    });
    expect(compileProblems).toEqual([]);
    expect(tsc.status).toBe(0);

    // 2. Each block runs, from the installed JavaScript, and synthesizes into its own cloud assembly (two at a time).
    const runProblems: string[] = [];
    const queue = [...examples];
    await Promise.all([0, 1].map(async () => {
      for (let e = queue.shift(); e; e = queue.shift()) {
        const example = e;
        const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
          execFile(process.execPath, [path.join(appDir, OUT, `${example.file}.js`)], {
            cwd: appDir,
            env: { ...CHILD_ENV, CDK_OUTDIR: path.join(appDir, 'cdk.out', example.file) },
            timeout: 120_000,
            maxBuffer: 64 * 1024 * 1024,
          }, (error, _stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr }));
        });
        if (result.code !== 0) runProblems.push(`${example.origin}: exited ${result.code}: ${tail(result.stderr)}`);
      }
    }));
    runProblems.sort();
    expect(runProblems).toEqual([]);

    // 3. Every function they synthesize ships code that Lambda can run.
    const checked = new Map<string, string | undefined>();
    const functionProblems: string[] = [];
    let functions = 0;
    for (const e of examples) {
      for (const fn of lambdaFunctions(path.join(appDir, 'cdk.out', e.file))) {
        functions++;
        const problem = checkFunction(fn, work, checked);
        if (problem) functionProblems.push(`${e.origin}: ${fn.logicalId} (${fn.handler}): ${problem}`);
      }
    }
    expect(functionProblems).toEqual([]);
    expect(functions).toBeGreaterThan(0);
  }, 300_000);
});

interface SynthesizedFunction {
  readonly logicalId: string;
  readonly handler: string;
  readonly runtime: unknown;
  readonly code: { ZipFile?: unknown; S3Key?: unknown };
  readonly environment: Record<string, unknown>;
  /** The directory of the template, where its assets are staged. */
  readonly assemblyDir: string;
}

/** Every AWS::Lambda::Function in the templates of a cloud assembly (nested assemblies included). */
function lambdaFunctions(dir: string): SynthesizedFunction[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name.startsWith('asset.') ? [] : lambdaFunctions(file);
    if (!entry.name.endsWith('.template.json')) return [];
    const template = JSON.parse(fs.readFileSync(file, 'utf8')) as { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
    return Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type === 'AWS::Lambda::Function').map(([logicalId, r]) => ({
      logicalId,
      handler: String(r.Properties?.Handler),
      runtime: r.Properties?.Runtime,
      code: (r.Properties?.Code ?? {}) as { ZipFile?: unknown; S3Key?: unknown },
      environment: ((r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables) ?? {},
      assemblyDir: dir,
    }));
  });
}

/**
 * Loads a handler file as the Lambda Node.js runtime would (from its directory, with the AWS SDK v3 provided) and
 * prints `typeof` the handler's export. A require of `@aws-sdk/*` that the code does not ship resolves to the repo's
 * SDK, standing in for the runtime's; anything else must be in the code's own directory.
 */
const LOADER = `
const Module = require('module');
const [file, name, sdkRoot] = process.argv.slice(1);
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  try {
    return resolve.call(this, request, parent, ...rest);
  } catch (e) {
    if (request.startsWith('@aws-sdk/')) return require.resolve(request, { paths: [sdkRoot] });
    throw e;
  }
};
(async () => {
  const m = file.endsWith('.mjs') ? await import(file) : require(file);
  process.stdout.write(typeof m[name]);
})().catch((e) => { console.error(e); process.exit(1); });
`;

/** Why Lambda could not run the function's code, or undefined when it could. Checks each code and handler once. */
function checkFunction(fn: SynthesizedFunction, work: string, checked: Map<string, string | undefined>): string | undefined {
  if (typeof fn.runtime !== 'string' || !/^nodejs\d+\.x$/.test(fn.runtime)) return `runtime ${JSON.stringify(fn.runtime)} is not a Node.js runtime this test can check`;
  const dot = fn.handler.lastIndexOf('.');
  if (dot <= 0) return `Handler ${fn.handler} is not <file>.<export>`;
  const [modulePath, exportName] = [fn.handler.slice(0, dot), fn.handler.slice(dot + 1)];

  let codeDir: string;
  let key: string;
  if (fn.code.ZipFile !== undefined) {
    if (typeof fn.code.ZipFile !== 'string') return `inline code is not a string: ${JSON.stringify(fn.code.ZipFile).slice(0, 200)}`;
    // CloudFormation writes a Node.js function's inline code to index.js.
    if (modulePath !== 'index') return `inline code is index.js, but the Handler names ${modulePath}`;
    key = `inline:${fn.code.ZipFile}:${fn.handler}`;
    codeDir = path.join(work, 'inline', `${checked.size}`);
    if (!checked.has(key)) {
      fs.mkdirSync(codeDir, { recursive: true });
      fs.writeFileSync(path.join(codeDir, 'index.js'), fn.code.ZipFile);
    }
  } else {
    const hash = typeof fn.code.S3Key === 'string' ? /^([0-9a-f]{64})\.zip$/.exec(fn.code.S3Key)?.[1] : undefined;
    if (!hash) return `code is neither inline nor a staged asset: ${JSON.stringify(fn.code)}`;
    codeDir = path.join(fn.assemblyDir, `asset.${hash}`);
    if (!fs.existsSync(codeDir) || !fs.statSync(codeDir).isDirectory()) return `asset.${hash} is not a directory in the cloud assembly`;
    key = `asset:${hash}:${fn.handler}`;
  }
  if (checked.has(key)) return checked.get(key);

  const problem = ((): string | undefined => {
    const candidates = ['.js', '.mjs', '.cjs'].map((ext) => path.join(codeDir, `${modulePath}${ext}`));
    const file = candidates.find((f) => fs.existsSync(f));
    if (!file) {
      const holds = fs.readdirSync(codeDir).slice(0, 10).join(', ');
      return `the code has no ${modulePath}.js (or .mjs, .cjs); it holds: ${holds}`;
    }
    const syntax = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
    if (syntax.status !== 0) return `${path.basename(file)} does not pass node --check: ${tail(syntax.stderr)}`;
    const env = Object.fromEntries(Object.entries(fn.environment).map(([k, v]) => [k, typeof v === 'string' ? v : 'value-resolved-at-deploy']));
    const loaded = spawnSync(process.execPath, ['-e', LOADER, file, exportName, root], {
      cwd: codeDir,
      encoding: 'utf8',
      timeout: 30_000,
      env: {
        PATH: process.env.PATH,
        ...env,
        LAMBDA_TASK_ROOT: codeDir,
        AWS_REGION: 'us-east-1',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'not-a-secret-for-a-load-test',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
      },
    });
    if (loaded.status !== 0) return `${path.basename(file)} does not load: ${tail(loaded.stderr)}`;
    if (loaded.stdout !== 'function') return `${path.basename(file)} exports ${exportName} as ${loaded.stdout}, not a function`;
    return undefined;
  })();
  checked.set(key, problem);
  return problem;
}
