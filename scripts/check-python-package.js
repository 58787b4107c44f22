// CI's check of the jsii Python target: jsii-pacmak generates the Python package's sources from the .jsii assembly
// (`--code-only`: offline and without Python; the wheel itself needs setuptools, see the README's Publishing). Run
// after `npm run build`. Fails unless the distribution and module are the ones package.json's jsii.targets name and
// the module exports the constructs.
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');
const { python } = require(path.join(root, 'package.json')).jsii.targets;
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'python-package-'));
try {
  execFileSync(process.execPath, [require.resolve('jsii-pacmak/bin/jsii-pacmak'), '-t', 'python', '--code-only', '-o', out], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const setup = fs.readFileSync(path.join(out, 'python', 'setup.py'), 'utf8');
  const init = fs.readFileSync(path.join(out, 'python', 'src', python.module, '__init__.py'), 'utf8');
  const problems = [
    ...(setup.includes(`"name": "${python.distName}"`) ? [] : [`setup.py does not name the distribution ${python.distName}`]),
    ...['CustomLabelsModel', 'CustomLabelsModelProps', 'BatchWindows'].filter((name) => !new RegExp(`^class ${name}\\b`, 'm').test(init))
      .map((name) => `${python.module} does not define ${name}`),
  ];
  if (problems.length > 0) {
    console.error(`The Python package jsii-pacmak generates is not the one package.json describes:\n${problems.join('\n')}`);
    process.exit(1);
  }
  console.log(`Python package ${python.distName} (module ${python.module}) generated`);
} finally {
  fs.rmSync(out, { recursive: true, force: true });
}
