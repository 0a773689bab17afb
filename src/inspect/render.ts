/**
 * Drawings of a {@link MachineGraph}: Mermaid (`stateDiagram-v2`, which GitHub renders),
 * Graphviz DOT, and the generated Markdown of docs/machines.md. Pure string functions, so
 * the same text comes out of the command, the doc test and the inspector page.
 */
import type { GraphState, GraphTransition, MachineGraph } from './graph.js';

/** A graph with the name a reader knows it by. */
export interface NamedMachineGraph {
  /** Human name, e.g. `Delay line`; the Markdown heading. */
  name: string;
  /** The export it comes from, e.g. `delayLineMachine`. */
  exportName?: string;
  graph: MachineGraph;
}

/**
 * The cause of a transition as a diagram label: `EVENT [guard] / action, action`.
 *
 * @example
 * transitionLabel({ event: 'SAMPLE', guard: 'atCritical', actions: ['record'], … }); // 'SAMPLE [atCritical] / record'
 */
export function transitionLabel(t: GraphTransition): string {
  const cause = t.invoke === undefined ? t.event : `${t.event} (${t.invoke})`;
  const guard = t.guard === undefined ? '' : ` [${t.guard}]`;
  const actions = t.actions.length === 0 ? '' : ` / ${t.actions.join(', ')}`;
  return `${cause}${guard}${actions}`;
}

/**
 * The edges to draw: a transition of the root applies in every state, so it is drawn from
 * each top-level state that is not final (an actor in a final top-level state is done); a
 * targetless transition is drawn as a loop on its source.
 */
export function drawnEdges(graph: MachineGraph): { from: string; to: string; transition: GraphTransition }[] {
  const topLevel = graph.states.filter((s) => s.parent === null && s.type !== 'final').map((s) => s.id);
  return graph.transitions.flatMap((transition) =>
    (transition.source === '' ? topLevel : [transition.source]).map((from) => ({ from, to: transition.target ?? from, transition })),
  );
}

// ---------------------------------------------------------------------------------------
// Mermaid

/**
 * Mermaid ids: `s_` and the path with every other character as `_`. The prefix keeps ids
 * clear of Mermaid's keywords (`state`, `note`, `default`, `class` …); a clash after
 * replacement gets a number.
 */
function mermaidIds(graph: MachineGraph): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const s of graph.states) {
    const base = `s_${s.id.replace(/[^A-Za-z0-9]/g, '_')}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
    used.add(id);
    ids.set(s.id, id);
  }
  return ids;
}

/** Mermaid ends a label at `:`, `;` or a newline, and a state name at `"`. */
const mermaidText = (text: string): string => text.replace(/[:;]/g, ',').replace(/"/g, "'").replace(/\s*\n\s*/g, ' ');

/**
 * The machine as a Mermaid `stateDiagram-v2`: composite states for compound states (`--`
 * between the regions of a parallel one), `[*] -->` to each initial state, `--> [*]` from
 * final ones, and one arrow per transition labelled by {@link transitionLabel}.
 *
 * Mermaid puts a state in the composite whose block mentions it in an arrow, so an arrow is
 * written inside a block only when both its ends are children of that block; every other
 * arrow comes after all the blocks, at the top level.
 *
 * @example
 * console.log(toMermaid(machineGraph(bufferLifecycleMachine)));
 */
export function toMermaid(graph: MachineGraph): string {
  const ids = mermaidIds(graph);
  const id = (path: string): string => ids.get(path) ?? `s_${path}`;
  const parentOf = new Map(graph.states.map((s) => [s.id, s.parent]));
  const childrenOf = groupChildren(graph.states);

  // Arrows by the block they are written in ('' is the top level).
  const arrows = new Map<string, string[]>();
  for (const { from, to, transition } of drawnEdges(graph)) {
    const parent = parentOf.get(from);
    const scope = parent !== undefined && parent === parentOf.get(to) ? (parent ?? '') : '';
    const list = arrows.get(scope) ?? [];
    list.push(`${id(from)} --> ${id(to)} : ${mermaidText(transitionLabel(transition))}`);
    arrows.set(scope, list);
  }

  const lines = ['stateDiagram-v2'];
  const block = (parent: string, type: GraphState['type'], initial: string | null, indent: string): void => {
    const children = childrenOf.get(parent) ?? [];
    if (initial !== null) lines.push(`${indent}[*] --> ${id(initial)}`);
    children.forEach((s, i) => {
      if (type === 'parallel' && i > 0) lines.push(`${indent}--`);
      if (s.type === 'compound' || s.type === 'parallel') {
        // No space before `{`: Mermaid would keep it as part of the id.
        lines.push(`${indent}state "${mermaidText(s.key)}" as ${id(s.id)}{`);
        block(s.id, s.type, s.initial === undefined ? null : `${s.id}.${s.initial}`, `${indent}  `);
        lines.push(`${indent}}`);
      } else {
        const label = s.type === 'history' ? (s.history === 'deep' ? 'H*' : 'H') : s.key;
        lines.push(`${indent}state "${mermaidText(label)}" as ${id(s.id)}`);
      }
    });
    for (const s of children) if (s.type === 'final') lines.push(`${indent}${id(s.id)} --> [*]`);
    // The top level's arrows come after every block (see above).
    if (parent !== '') lines.push(...(arrows.get(parent) ?? []).map((a) => `${indent}${a}`));
  };
  if (graph.type === 'parallel') {
    // Regions need a composite around them (`--` is only allowed inside one).
    lines.push(`  state "${mermaidText(graph.id)}" as s__root{`);
    block('', 'parallel', null, '    ');
    lines.push('  }');
  } else {
    block('', 'compound', graph.initial, '  ');
  }
  lines.push(...(arrows.get('') ?? []).map((a) => `  ${a}`));
  return `${lines.join('\n')}\n`;
}

function groupChildren(states: readonly GraphState[]): Map<string, GraphState[]> {
  const out = new Map<string, GraphState[]>();
  for (const s of states) {
    const key = s.parent ?? '';
    const list = out.get(key) ?? [];
    list.push(s);
    out.set(key, list);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Graphviz

const dotString = (text: string): string => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/**
 * The machine as a Graphviz digraph: a cluster per compound or parallel state, a point for
 * each initial state, final states drawn double, targetless transitions as dashed loops.
 * An arrow to or from a cluster ends at the cluster's border (`compound=true` with
 * `lhead`/`ltail`), attached to the cluster's initial point.
 *
 * @example
 * writeFileSync('delay.dot', toDot(machineGraph(delayLineMachine))); // dot -Tsvg delay.dot
 */
export function toDot(graph: MachineGraph): string {
  const clusters = new Set(graph.states.filter((s) => s.type === 'compound' || s.type === 'parallel').map((s) => s.id));
  const anchor = (path: string): string => dotString(`initial:${path}`);
  const node = (path: string): string => (clusters.has(path) ? anchor(path) : dotString(path));
  const cluster = (path: string): string => dotString(`cluster_${path}`);
  const childrenOf = groupChildren(graph.states);

  const lines = [
    `digraph ${dotString(graph.id)} {`,
    '  compound=true;',
    '  fontname="Helvetica";',
    '  node [shape=box, style=rounded, fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  const block = (parent: string, initial: string | null, indent: string): void => {
    if (initial !== null) {
      lines.push(`${indent}${anchor(parent)} [shape=point, width=0.15];`);
      lines.push(`${indent}${anchor(parent)} -> ${node(initial)}${clusters.has(initial) ? ` [lhead=${cluster(initial)}]` : ''};`);
    } else if (parent !== '') {
      // A parallel state has no initial point; an invisible one carries its arrows.
      lines.push(`${indent}${anchor(parent)} [shape=point, style=invis];`);
    }
    for (const s of childrenOf.get(parent) ?? []) {
      if (clusters.has(s.id)) {
        lines.push(`${indent}subgraph ${cluster(s.id)} {`);
        lines.push(`${indent}  label=${dotString(s.key)};`, `${indent}  style=${s.type === 'parallel' ? 'dashed' : 'rounded'};`);
        block(s.id, s.initial === undefined ? null : `${s.id}.${s.initial}`, `${indent}  `);
        lines.push(`${indent}}`);
      } else if (s.type === 'history') {
        lines.push(`${indent}${dotString(s.id)} [shape=circle, label=${dotString(s.history === 'deep' ? 'H*' : 'H')}];`);
      } else {
        lines.push(`${indent}${dotString(s.id)} [label=${dotString(s.key)}${s.type === 'final' ? ', peripheries=2' : ''}];`);
      }
    }
  };
  block('', graph.type === 'compound' ? graph.initial : null, '  ');
  for (const { from, to, transition } of drawnEdges(graph)) {
    const attrs = [`label=${dotString(transitionLabel(transition))}`];
    if (clusters.has(from)) attrs.push(`ltail=${cluster(from)}`);
    if (clusters.has(to)) attrs.push(`lhead=${cluster(to)}`);
    if (transition.target === null) attrs.push('style=dashed');
    lines.push(`  ${node(from)} -> ${node(to)} [${attrs.join(', ')}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------
// Markdown

/** A table cell: no newline, no unescaped `|`. */
const cell = (text: string): string => text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
const code = (text: string): string => (text === '' ? '' : `\`${text}\``);
const codes = (list: readonly string[]): string => list.map(code).join(', ');

/** GitHub's anchor for a heading. */
const slug = (heading: string): string =>
  heading
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');

/**
 * The generated docs/machines.md: for each machine a heading, its description, a Mermaid
 * diagram, and tables of its states and transitions. Its first line says it is generated.
 *
 * @example
 * writeFileSync('docs/machines.md', toMarkdown(allMachineGraphs()));
 */
export function toMarkdown(graphs: readonly NamedMachineGraph[]): string {
  const out: string[] = [
    '<!-- Generated by `npm run docs:machines` (avbuf machines --format markdown): do not edit by hand. -->',
    '',
    '# State machines',
    '',
    'Every XState machine in avbuf, drawn from its definition (`avbuf/machines`). This file is',
    'generated: after changing a machine, run `npm run docs:machines`; a test fails while it is stale.',
    'The same data comes out of `avbuf machines --format mermaid|dot|json`.',
    '',
    ...graphs.map(({ name, exportName }) => `- [${name}](#${slug(name)})${exportName === undefined ? '' : `: \`${exportName}\``}`),
  ];
  for (const { name, exportName, graph } of graphs) {
    const stateCell = (path: string | null, fallback: string): string => (path === null || path === '' ? fallback : code(path));
    out.push('', `## ${name}`, '');
    const origin = exportName === undefined ? `Machine \`${graph.id}\`` : `\`${exportName}\`, machine id \`${graph.id}\``;
    out.push(`${origin}.${graph.description === undefined ? '' : ` ${graph.description}`}`);
    out.push('', '```mermaid', toMermaid(graph).trimEnd(), '```');

    out.push('', '**States**', '', '| State | Type | Tags | Entry | Exit | Description |', '| --- | --- | --- | --- | --- | --- |');
    for (const s of graph.states) {
      const type = s.type === 'compound' && s.initial !== undefined ? `compound (starts in \`${s.initial}\`)` : s.type;
      out.push(`| ${code(s.id)} | ${cell(type)} | ${codes(s.tags)} | ${codes(s.entry)} | ${codes(s.exit)} | ${cell(s.description ?? '')} |`);
    }

    out.push('', '**Transitions** (for each state, in the order XState tries them)', '', '| From | Event | Guard | To | Actions |', '| --- | --- | --- | --- | --- |');
    for (const t of graph.transitions) {
      const event = t.invoke === undefined ? t.event : `${t.event} (${t.invoke})`;
      const to = t.target === null ? 'stays (no target)' : `${code(t.target)}${t.reenter ? ', re-entered' : ''}`;
      out.push(`| ${stateCell(t.source, 'any state')} | ${cell(code(event))} | ${cell(code(t.guard ?? ''))} | ${to} | ${codes(t.actions)} |`);
    }
    if (graph.invokes.length > 0) {
      out.push('', 'Invoked actors:', '');
      for (const i of graph.invokes) out.push(`- \`${i.id}\` (\`${i.src}\`) while in ${stateCell(i.state, 'any state')}`);
    }
  }
  return `${out.join('\n')}\n`;
}
