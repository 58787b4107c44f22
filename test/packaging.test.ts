// Packs the library as `npm publish` would and installs the tarball into a fresh CDK app outside the repo, with
// aws-cdk-lib and constructs at the versions the repo pins, from the npm cache the repo's `npm ci` filled. The app is
// type-checked against the installed package's declarations and synthesized from the installed JavaScript, so a file
// missing from package.json's `files` (the handler bundle, say) fails here and not in a user's `cdk deploy`.
//
// It packs what `npm run build` left in lib/ and lambda/dist/ (npm test builds first), with --ignore-scripts so that
// the pack does not build a second time (test/support/fresh-app.ts).
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { RESOURCE_TYPE } from '../lib/contract/resource-properties';
import { CHILD_ENV, packTarball, PKG, ROOT, run, TSC } from './support/fresh-app';
import { StackDeployment } from './support/stack-deployment';
import { synthModels } from './support/templates';
import { World } from './support/world';

const VERSION_ARN = 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/widgets.v1/1767607200000';

/** What the tarball may hold, as paths inside `package/`. */
const ALLOWED = /^(package\.json|README\.md|LICENSE|\.jsii|lib\/.+\.(js|d\.ts)|lambda\/dist\/index\.js|cli\/dist\/cli\.js)$/;

/** Every .ts source under lib/ (not declarations), relative to the repo, without its extension. */
function librarySources(dir = 'lib'): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      return librarySources(rel);
    }
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [rel.slice(0, -'.ts'.length)] : [];
  });
}

describe('packaging', () => {
  let work: string;
  let tarball: string;
  let packed: string[];
  let appDir: string;
  let template: Template;
  let assembly: string;

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-rekognition-custom-labels-packaging-'));

    // npm pack, as npm publish would pack; what is really in the tarball, not what npm says it put there.
    ({ tarball, packed } = packTarball(work));

    // A fresh app outside the repo: nothing resolves to the repo's node_modules from there.
    appDir = path.join(work, 'app');
    fs.mkdirSync(appDir);
    fs.writeFileSync(path.join(appDir, 'package.json'), JSON.stringify({
      name: 'fresh-cdk-app',
      version: '1.0.0',
      private: true,
      dependencies: {
        'aws-cdk-lib': PKG.devDependencies['aws-cdk-lib'],
        'constructs': PKG.devDependencies.constructs,
        [PKG.name]: `file:${tarball}`,
      },
    }, undefined, 2));
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], appDir);

    // The app a user would write, type-checked against the installed declarations, then run from the installed JS.
    fs.writeFileSync(path.join(appDir, 'app.ts'), [
      "import { App, Stack } from 'aws-cdk-lib';",
      `import { CustomLabelsModel } from '${PKG.name}';`,
      "const app = new App({ outdir: 'cdk.out' });",
      "const stack = new Stack(app, 'FreshApp');",
      "const model = new CustomLabelsModel(stack, 'Model', {",
      `  projectVersionArn: '${VERSION_ARN}',`,
      '  minInferenceUnits: 2,',
      '  maxInferenceUnits: 3,',
      '});',
      "const units: number = model.minInferenceUnits;",
      "if (units !== 2) { throw new Error('minInferenceUnits reads back ' + units); }",
      'app.synth();',
      '',
    ].join('\n'));
    fs.writeFileSync(path.join(appDir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        strict: true, target: 'ES2022', module: 'commonjs', moduleResolution: 'node', lib: ['ES2022'], types: [],
        skipLibCheck: true, outDir: 'out', rootDir: '.',
      },
      files: ['app.ts'],
    }, undefined, 2));
    run(process.execPath, [TSC, '-p', appDir], appDir);
    run(process.execPath, [path.join(appDir, 'out', 'app.js')], appDir);
    assembly = path.join(appDir, 'cdk.out');
    template = Template.fromJSON(JSON.parse(fs.readFileSync(path.join(assembly, 'FreshApp.template.json'), 'utf8')));
  }, 300_000);

  afterAll(() => {
    if (work) {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  test('the packed tarball installs into a fresh app and synthesizes', () => {
    // The app used the installed package, not the repo.
    const resolved = require.resolve(PKG.name, { paths: [appDir] });
    expect(resolved).toBe(fs.realpathSync(path.join(appDir, 'node_modules', PKG.name, 'lib', 'index.js')));
    expect(path.relative(ROOT, resolved).startsWith('..')).toBe(true);

    template.resourceCountIs(RESOURCE_TYPE, 1);
    template.hasResourceProperties(RESOURCE_TYPE, { ProjectVersionArn: VERSION_ARN, MinInferenceUnits: '2', MaxInferenceUnits: '3' });
  });

  test('the handlers run the Lambda asset shipped in the tarball (lambda/dist/index.js)', () => {
    expect(packed).toContain('lambda/dist/index.js');
    const shipped = fs.readFileSync(path.join(appDir, 'node_modules', PKG.name, 'lambda', 'dist', 'index.js'));
    expect(shipped.equals(fs.readFileSync(path.join(ROOT, 'lambda', 'dist', 'index.js')))).toBe(true);

    // Every function of the library (handler index.*) deploys an asset whose index.js is that very file.
    const functions = Object.values(template.findResources('AWS::Lambda::Function'))
      .map((f) => f.Properties as { Handler: string; Code: { S3Key: string } })
      .filter((p) => p.Handler.startsWith('index.'));
    expect(functions.map((f) => f.Handler).sort()).toEqual(expect.arrayContaining(['index.isComplete', 'index.onEvent']));
    for (const fn of functions) {
      const hash = fn.Code.S3Key.replace(/\.zip$/, '');
      const staged = fs.readFileSync(path.join(assembly, `asset.${hash}`, 'index.js'));
      expect({ handler: fn.Handler, sameAsShipped: staged.equals(shipped) }).toEqual({ handler: fn.Handler, sameAsShipped: true });
    }
  });

  test('the tarball holds the compiled library, its declarations and .jsii, and no sources or tests', () => {
    for (const required of ['package.json', 'README.md', 'LICENSE', '.jsii', 'lib/index.js', 'lib/index.d.ts']) {
      expect(packed).toContain(required);
    }
    // Every library source is shipped compiled, with its declarations.
    for (const source of librarySources()) {
      expect(packed).toEqual(expect.arrayContaining([`${source}.js`, `${source}.d.ts`]));
    }
    expect(packed.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(packed.filter((f) => /(^|\/)(test|tests|__tests__)\//.test(f) || /\.test\.|\.spec\./.test(f))).toEqual([]);
    expect(packed.filter((f) => !ALLOWED.test(f))).toEqual([]);
  });

  test('the command runs from the packed tarball in a fresh directory', async () => {
    expect(packed).toContain('cli/dist/cli.js');
    // npx finds the command the package installs, with no build step and no devDependency.
    const help = run('npx', ['--no-install', PKG.name, '--help'], appDir);
    expect(help.stdout).toContain(`Usage: ${PKG.name} <command> [options]`);

    // And it reaches AWS through the SDK it carries: here, a test world's local endpoints, with one deployed model.
    const w = await new World().start();
    try {
      const arn = w.model();
      const outcome = await new StackDeployment(w.cfn, undefined, w.ssm).deploy(synthModels('WidgetsStack', [{ id: 'Widgets', projectVersionArn: arn }]));
      expect(outcome.status).toBe('CREATE_COMPLETE');
      const status = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(path.join(appDir, 'node_modules', '.bin', PKG.name), ['status'], { cwd: appDir, env: { ...CHILD_ENV, ...pickEnv(process.env) } },
          (error, stdout, stderr) => resolve({ code: error ? (error as { code?: number }).code ?? 1 : 0, stdout, stderr }));
      });
      expect({ code: status.code, stdout: status.stdout }).toEqual({
        code: 0,
        // A template synthesized without path metadata (as `cdk synth` writes by default) names the model by its logical id.
        stdout: '  WidgetsStack/Widgets3DFF681B  widgets.v1  RUNNING  units 2 (in service 2)  wants RUNNING 2: its declaration (no windows)  holds off  next: none\n1 model(s)\n',
      });
    } finally {
      await w.stop();
    }
  }, 120_000);
});

/** The world's region, fake credentials and local endpoints, for a child process. */
function pickEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('AWS_')));
}
