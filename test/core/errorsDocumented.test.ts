/**
 * The promise of docs/errors.md, checked on the source: every `throw new X(…)` in src/ makes
 * an AvbufError (X derives from it), and every code in ErrorCode has a row in docs/errors.md.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** src/ files, but the inspector page (browser code, which throws nothing at the library's users). */
function sourceFiles(dir = path.join(ROOT, 'src')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return full.endsWith(path.join('inspect', 'page')) ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const parsed = sourceFiles().map((file) => ({
  file: path.relative(ROOT, file),
  source: ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true),
}));

function visitAll(visit: (node: ts.Node, file: string, source: ts.SourceFile) => void): void {
  for (const { file, source } of parsed) {
    const walk = (node: ts.Node): void => {
      visit(node, file, source);
      ts.forEachChild(node, walk);
    };
    walk(source);
  }
}

/** Every class in src/ that derives from AvbufError. */
function avbufErrorClasses(): Set<string> {
  const parent = new Map<string, string>();
  visitAll((node) => {
    if (ts.isClassDeclaration(node) && node.name) {
      const base = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
      if (base && ts.isIdentifier(base)) parent.set(node.name.text, base.text);
    }
  });
  const derives = (name: string, depth = 0): boolean =>
    name === 'AvbufError' || (depth < 20 && parent.has(name) && derives(parent.get(name)!, depth + 1));
  return new Set([...parent.keys(), 'AvbufError'].filter((name) => derives(name)));
}

describe('errors', () => {
  it('every `throw new X(…)` in src/ throws an AvbufError subclass', () => {
    const allowed = avbufErrorClasses();
    expect(allowed.size).toBeGreaterThan(10);
    const wrong: string[] = [];
    visitAll((node, file, source) => {
      if (ts.isThrowStatement(node) && ts.isNewExpression(node.expression)) {
        const name = node.expression.expression.getText(source);
        if (!allowed.has(name)) wrong.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1} throws ${name}`);
      }
    });
    expect(wrong).toEqual([]);
  });

  it('docs/errors.md has a row for every code, and no row for a code that does not exist', () => {
    const doc = readFileSync(path.join(ROOT, 'docs/errors.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| `(ERR_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect([...rows].sort()).toEqual(Object.values(ErrorCode).sort());
  });
});
