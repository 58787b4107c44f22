// The contract between the construct (lib/) and the handlers (lambda/) is lib/contract/: both sides import it, and it
// imports nothing that only one side has, so the handler bundle never pulls in aws-cdk-lib and the construct never
// pulls in the AWS SDK. These tests hold that line, and keep the contract's values written once.
import * as fs from 'fs';
import * as path from 'path';
import { HANDLER_NAMES, handlerEntry } from '../lib/contract/handler-entries';
import { TAG_PREFIX } from '../lib/contract/tags';
import { EVENT_SOURCE } from '../lib/contract/transition-events';

const ROOT = path.join(__dirname, '..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'dist' ? [] : sourceFiles(rel);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** The module specifiers a TypeScript file imports or re-exports. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm), ...text.matchAll(/require\('([^']+)'\)/g)].map((m) => m[1]);
}

/** A file's text without its comments, so that only code counts. */
function codeOf(file: string): string {
  return fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

describe('the contract module', () => {
  const contract = sourceFiles('lib/contract');

  test('imports nothing from aws-cdk-lib, constructs or the AWS SDK: only its own files and Node built-ins', () => {
    expect(contract.length).toBeGreaterThan(0);
    const outside = contract.flatMap((f) => importsOf(f).filter((m) => !m.startsWith('./') && m !== 'crypto').map((m) => `${f} imports ${m}`));
    expect(outside).toEqual([]);
  });

  test('is the only part of lib/ the handlers import', () => {
    const reaching = sourceFiles('lambda').flatMap((f) => importsOf(f)
      .filter((m) => m.includes('/lib/') && !/^(\.\.\/)+lib\/contract\//.test(m))
      .map((m) => `${f} imports ${m}`));
    expect(reaching).toEqual([]);
  });

  test('the library\'s tag prefix and event source are written once in the source tree', () => {
    const files = [...sourceFiles('lib'), ...sourceFiles('lambda')];
    // A string literal that begins with the tag prefix (a tag key), or that is exactly the event source (the package's
    // name also begins warning ids, which are not the event source).
    const literal = (value: string, whole: boolean) => new RegExp(`['"\`]${value.replace(/[-:]/g, '\\$&')}${whole ? '[\'"`]' : ''}`);
    const writtenAt = (pattern: RegExp) => files.filter((f) => pattern.test(codeOf(f)));
    expect(writtenAt(literal(TAG_PREFIX, false))).toEqual([path.join('lib', 'contract', 'tags.ts')]);
    expect(writtenAt(literal(EVENT_SOURCE, true))).toEqual([path.join('lib', 'contract', 'transition-events.ts')]);
  });

  test('every handler entry the construct names is a function the built bundle exports, and no other', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bundle = require(path.join(ROOT, 'lambda', 'dist', 'index.js')) as Record<string, unknown>;
    const functions = Object.keys(bundle).filter((k) => typeof bundle[k] === 'function').sort();
    expect(functions).toEqual([...HANDLER_NAMES].sort());
    expect(handlerEntry('onEvent')).toBe('index.onEvent');
  });
});
