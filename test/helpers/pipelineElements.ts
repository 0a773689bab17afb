/**
 * Collects every GStreamer element name the project's code really names: in pipeline
 * descriptions (string and template literals with `!` links, `gst-launch-1.0` argument
 * arrays, an element with its `prop=value` settings), in `requireElements([...])`,
 * `ElementFactory.make/find(...)` and `gst-inspect-1.0` calls, and in the shell and code
 * examples of the README and docs. It reads the source with TypeScript's parser, so comments
 * and prose never count; what it finds is checked against src/gst/elements.json by
 * test/gst/elements.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Where an element was named: file and line. */
export interface ElementUse {
  readonly element: string;
  readonly file: string;
  readonly line: number;
}

const CODE_DIRS = ['src', 'test', 'bench', 'scripts', 'examples'];
const CODE_EXTENSIONS = /\.(?:ts|mts|cts|js|mjs|cjs)$/;
const DOC_FILES = (root: string): string[] => [
  'README.md',
  ...readdirSync(path.join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => path.join('docs', name)),
];

/** A token that can be an element factory name (not caps, a pad reference or a placeholder). */
const ELEMENT_NAME = /^[a-z][a-z0-9_]*$/;
/** An element followed by its settings, without a link: `appsink name=video sync=false`. */
const ELEMENT_WITH_PROPERTIES = /^\s*([a-z][a-z0-9_]*)\s+[a-z][a-z0-9-]*=/;
/** Stands for a `${…}` hole of a template literal. */
const HOLE = '\u0000';
/** Calls whose string arguments are element names. */
const ELEMENT_CALLS = new Set(['requireElements', 'make', 'find']);

/** Element names in a pipeline description fragment (empty when it is not one). */
export function elementsInDescription(text: string): string[] {
  if (!/(?:^|\s)!(?:\s|$)/.test(text)) {
    const alone = ELEMENT_WITH_PROPERTIES.exec(text);
    return alone ? [alone[1]!] : [];
  }
  const names: string[] = [];
  for (const piece of text.split(/(?:^|\s)!(?=\s|$)/)) {
    const first = piece.trim().split(/\s+/, 1)[0] ?? '';
    if (ELEMENT_NAME.test(first)) names.push(first);
  }
  return names;
}

function walkFiles(dir: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walkFiles(full, out);
    else if (CODE_EXTENSIONS.test(entry.name) && !entry.name.endsWith('.d.ts') && !entry.name.endsWith('.d.mts')) out.push(full);
  }
}

/** The text of a string-ish literal, holes of a template replaced by {@link HOLE}. */
function literalText(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.head.text + node.templateSpans.map((span) => HOLE + span.literal.text).join('');
  return undefined;
}

function usesInCode(root: string, file: string): ElementUse[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const uses: ElementUse[] = [];
  const add = (element: string, node: ts.Node): void => {
    uses.push({ element, file, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    const literal = literalText(node);
    if (literal !== undefined) {
      for (const element of elementsInDescription(literal)) add(element, node);
    } else if (ts.isArrayLiteralExpression(node)) {
      // gst-launch-1.0 argument arrays: ['-q', 'filesrc', 'location=…', '!', 'queue', …]
      const words = node.elements.map((e) => (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) ? e.text : HOLE));
      if (words.includes('!')) {
        for (const element of elementsInDescription(words.filter((w) => !w.startsWith('-')).join(' '))) add(element, node);
      }
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
      const isFactory = ts.isPropertyAccessExpression(callee) && /ElementFactory$/.test(callee.expression.getText(source));
      if (name === 'requireElements' || (isFactory && ELEMENT_CALLS.has(name))) {
        const first = node.arguments[0];
        const strings = first && ts.isArrayLiteralExpression(first) ? first.elements : node.arguments.slice(0, 1);
        for (const arg of strings) if (ts.isStringLiteral(arg) && ELEMENT_NAME.test(arg.text)) add(arg.text, arg);
      }
      if (ts.isStringLiteral(node.arguments[0] ?? callee) && (node.arguments[0] as ts.StringLiteral | undefined)?.text === 'gst-inspect-1.0') {
        const args = node.arguments[1];
        if (args && ts.isArrayLiteralExpression(args)) {
          for (const arg of args.elements) if (ts.isStringLiteral(arg) && ELEMENT_NAME.test(arg.text)) add(arg.text, arg);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return uses;
}

function usesInDoc(root: string, file: string): ElementUse[] {
  const uses: ElementUse[] = [];
  let inFence = false;
  readFileSync(path.join(root, file), 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (/^\s*```/.test(line)) {
        inFence = !inFence;
        return;
      }
      if (!inFence) return;
      // Code in a fence: the quoted parts of code, or a whole shell line such as gst-launch-1.0 … ! …
      const quoted = [...line.matchAll(/(['"`])((?:(?!\1).)*)\1/g)].map((m) => m[2]!);
      const fragments = /^\s*(?:\$\s*)?gst-launch-1\.0\b/.test(line) ? [line.replace(/^\s*(?:\$\s*)?gst-launch-1\.0(?:\s+-\S+)*/, '')] : quoted;
      for (const fragment of fragments) for (const element of elementsInDescription(fragment)) uses.push({ element, file, line: i + 1 });
    });
  return uses;
}

/** Every element name used in the project under `root`, with where. */
export function collectElementUses(root: string): ElementUse[] {
  const files: string[] = [];
  for (const dir of CODE_DIRS) walkFiles(path.join(root, dir), files);
  return [
    ...files.flatMap((full) => usesInCode(root, path.relative(root, full))),
    ...DOC_FILES(root).flatMap((file) => usesInDoc(root, file)),
  ];
}
