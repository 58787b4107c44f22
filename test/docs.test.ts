// Issue 24, item 4: no stale figure. Every figure the README, CONTRIBUTING.md and docs/ state about the library is
// quoted from what `npm run bench` printed (docs/bench-output.txt, which it writes) or from what `npm run synth`
// prints for the example app; nothing that looks like a measurement is stated outside such a quote; and the figures a
// test can recompute cheaply (the bundles' sizes, the resources each shape of model adds) are recomputed here, with
// the bench's own functions, and must be what docs/bench-output.txt says. The conventions are in CONTRIBUTING.md,
// "The bench".
import * as fs from 'fs';
import * as path from 'path';
import { synthesizeExampleApp } from './support/example-app';
import { BUNDLES, bundleFigures, bundleLine, SHAPES, shapeLine, shapeResources } from '../scripts/bench-shapes';

const ROOT = path.join(__dirname, '..');
const BENCH_OUTPUT = 'docs/bench-output.txt';

/** The Markdown files that state figures: the README, CONTRIBUTING.md and every docs/*.md. */
function docFiles(): string[] {
  const docs = fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
  return ['README.md', 'CONTRIBUTING.md', ...docs];
}

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** Where a quote comes from: what the bench printed, or what npm run synth prints. */
type Source = 'bench' | 'synth';

interface Quote {
  readonly file: string;
  readonly line: number;
  readonly source: Source;
  readonly text: string;
}

/** The inline quotes `<!-- bench -->text<!-- /bench -->` (or synth) and every line of a block after `<!-- bench-block -->`. */
function quotes(file: string, markdown: string): Quote[] {
  let text = markdown;
  const found: Quote[] = [];
  const lineOf = (index: number) => text.slice(0, index).split('\n').length;
  // Inline code that shows a marker (CONTRIBUTING.md describes them) is no quote.
  text = text.replace(/`[^`\n]*<!--[^`\n]*`/g, (code) => code.replace(/[^\n]/g, ' '));
  for (const m of text.matchAll(/<!-- (bench|synth) -->([\s\S]*?)<!-- \/\1 -->/g)) {
    found.push({ file, line: lineOf(m.index!), source: m[1] as Source, text: m[2] });
  }
  for (const m of text.matchAll(/<!-- (bench|synth)-block -->\n([ \t]*)```\w*\n([\s\S]*?)\n[ \t]*```/g)) {
    const start = lineOf(m.index!) + 2;
    // A block in a list item is indented as the item's text: the fence's indentation is not the output's.
    m[3].split('\n').forEach((l, i) => {
      if (l.trim() !== '') found.push({ file, line: start + i, source: m[1] as Source, text: l.startsWith(m[2]) ? l.slice(m[2].length) : l });
    });
  }
  return found;
}

/**
 * The prose a figure may not be stated in unquoted: the file without its quotes, its fenced code blocks (commands,
 * examples, output shown as such), inline code, the cost table that test/monthly-cost.test.ts checks, and HTML comments.
 * Each removed part keeps its newlines, so that line numbers stay right.
 */
function prose(text: string): string {
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  return text
    .replace(/<!-- (bench|synth) -->[\s\S]*?<!-- \/\1 -->/g, blank)
    .replace(/<!-- cost-table -->\n[\s\S]*?\n\n/g, blank)
    .replace(/^([ \t]*)(```+)[^\n]*\n[\s\S]*?\n\1\2[ \t]*$/gm, blank)
    .replace(/`[^`\n]*`/g, blank)
    .replace(/<!--[\s\S]*?-->/g, blank);
}

/**
 * What a measured figure looks like in prose: sizes, resource counts, stack sizes in models, latencies in decimal
 * seconds or milliseconds, inference-unit hours, percentages, dollar amounts with cents, call counts. A number of the
 * design (a 5-minute pass, a 7-day hold bound, $4 an inference-unit hour as the price assumed) does not look like one.
 */
const FIGURE = new RegExp([
  String.raw`\b\d[\d,.]*\s?(?:bytes|[KMG]i?B|kB)\b`,
  String.raw`\b\d[\d,.]*\s(?:gzipped|minified)\b`,
  String.raw`\b\d[\d,]*\s(?:CloudFormation\s)?resources\b`,
  String.raw`\b\d[\d,]*\s(?:models|model-hours)\b`,
  String.raw`\b\d+\.\d+\s?s\b`,
  String.raw`\b\d[\d,.]*\s?ms\b`,
  String.raw`\b\d[\d,.]*\s(?:IU-hours|inference-unit hours)\b`,
  String.raw`\b\d+(?:\.\d+)?\s?%`,
  String.raw`\$\d[\d,]*\.\d\d\b`,
  String.raw`\b\d[\d,]*\s(?:calls|invocations|requests)\b`,
].join('|'), 'g');

/** Figures stated outside a quote, as file:line: the figure. */
function unquotedFigures(file: string, text: string): string[] {
  const lines = prose(text).split('\n');
  return lines.flatMap((l, i) => [...l.matchAll(FIGURE)].map((m) => `${file}:${i + 1}: ${m[0]}`));
}

/** What `npm run synth` prints for the example app, less the CDK CLI's own lines: the summary of its assembly. */
function synthSummary(): string {
  const example = synthesizeExampleApp();
  example.remove();
  return example.summary;
}

describe('the docs\' figures', () => {
  const bench = read(BENCH_OUTPUT);
  const benchLines = bench.split('\n');
  let synth: string;

  beforeAll(() => {
    synth = synthSummary();
  }, 120_000);

  test('every figure the docs quote is the one the bench prints', () => {
    const all = docFiles().flatMap((f) => quotes(f, read(f)));
    // The README quotes the bench, and so do docs/.
    expect(all.filter((q) => q.file === 'README.md' && q.source === 'bench').length).toBeGreaterThanOrEqual(3);
    expect(all.filter((q) => q.source === 'synth').length).toBeGreaterThanOrEqual(1);

    // 1. Each quote is verbatim in what the bench (or synth) printed: an inline quote anywhere in it, a block's line as
    //    a whole line of it.
    const synthLines = synth.split('\n');
    const stale = all.filter((q) => {
      const [whole, lines] = q.source === 'bench' ? [bench, benchLines] : [synth, synthLines];
      const isBlockLine = !q.text.includes('\n') && lines.includes(q.text);
      return !(isBlockLine || whole.includes(q.text));
    }).map((q) => `${q.file}:${q.line}: ${q.source} does not print ${JSON.stringify(q.text)}`);
    expect(stale).toEqual([]);

    // 2. Nothing that looks like a measured figure is stated outside a quote.
    const unquoted = docFiles().flatMap((f) => unquotedFigures(f, read(f)));
    expect(unquoted).toEqual([]);
  });

  test('the bundles and the resources per model the bench printed are what they are now', () => {
    // Recomputed with the bench's own functions: a handler change, or a change of what a model synthesizes, fails
    // here until `npm run bench` runs again and docs/bench-output.txt (and the quotes the first test then names) are
    // updated.
    const expected = [...BUNDLES.map((b) => bundleLine(bundleFigures(b))), ...SHAPES.map((s) => shapeLine(shapeResources(s)))];
    const missing = expected.filter((line) => !benchLines.includes(line));
    expect(missing).toEqual([]);
    // And the docs state those figures (the README the handler bundle and a model's resources).
    const readme = read('README.md');
    expect(readme).toContain(`<!-- bench -->${bundleLine(bundleFigures('lambda/dist/index.js')).trim()}<!-- /bench -->`);
    expect(readme).toContain(`<!-- bench -->${shapeLine(shapeResources(SHAPES[0])).trim()}<!-- /bench -->`);
  });

  test('the README opens with its two commands and stays short', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThan(450);
    // The first block, before any other: the main job, then the tests.
    const first = /```(\w*)\n([\s\S]*?)```/.exec(readme)!;
    expect(first[1]).toBe('sh');
    expect(first[2]).toMatch(/^npm ci && npm run synth\b.*\nnpm test\b/);
    expect(readme.indexOf(first[0])).toBeLessThan(readme.indexOf('\n## '));
  });

  test('every doc the README sends a reader to exists, and every section that left it is linked', () => {
    const missing: string[] = [];
    for (const file of docFiles()) {
      const text = read(file);
      for (const m of text.matchAll(/\]\(([^)\s#]+)(#[^)\s]*)?\)/g)) {
        if (/^(https?|mailto):/.test(m[1])) continue;
        const target = path.normalize(path.join(path.dirname(file), m[1]));
        if (!fs.existsSync(path.join(ROOT, target))) {
          missing.push(`${file}: ${m[0]}`);
          continue;
        }
        // An anchor into a Markdown file names one of its headings, as GitHub makes their ids.
        if (m[2] && target.endsWith('.md')) {
          const ids = [...read(target).matchAll(/^#+ (.*)$/gm)].map((h) => h[1].trim().toLowerCase()
            .replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-'));
          if (!ids.includes(m[2].slice(1))) missing.push(`${file}: ${m[0]} (no such heading)`);
        }
      }
      for (const m of text.matchAll(/\]\((#[^)\s]+)\)/g)) {
        const ids = [...text.matchAll(/^#+ (.*)$/gm)].map((h) => h[1].trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-'));
        if (!ids.includes(m[1].slice(1))) missing.push(`${file}: ${m[0]} (no such heading)`);
      }
    }
    expect(missing).toEqual([]);
    const readme = read('README.md');
    for (const doc of ['docs/design.md', 'docs/scheduling.md', 'docs/operations.md', 'docs/iam.md', 'docs/integration-test.md',
      'docs/figures.md', 'CONTRIBUTING.md', 'API.md']) {
      expect(readme).toContain(`](${doc})`);
    }
  });
});
