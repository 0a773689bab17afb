/**
 * Draws a machine layout as SVG, and lights the active states of one actor. The SVG is made
 * once per machine and cloned for each actor that runs it (many buffers share one machine).
 */
import type { MachineLayout, Point } from './layout.js';

const SVG = 'http://www.w3.org/2000/svg';

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  parent?.appendChild(node);
  return node;
}

/** A polyline through the points with its corners rounded (quadratic curves through the midpoints). */
export function smoothPath(points: Point[]): string {
  const f = (n: number): string => n.toFixed(1);
  const [first, ...rest] = points;
  if (!first) return '';
  if (rest.length <= 1) return `M${f(first.x)},${f(first.y)}${rest.map((p) => `L${f(p.x)},${f(p.y)}`).join('')}`;
  let d = `M${f(first.x)},${f(first.y)}`;
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i]!;
    const next = points[i + 1]!;
    const end = i === points.length - 2 ? next : { x: (p.x + next.x) / 2, y: (p.y + next.y) / 2 };
    d += `Q${f(p.x)},${f(p.y)} ${f(end.x)},${f(end.y)}`;
  }
  return d;
}

/**
 * The arrowhead marker, once per document in a hidden SVG: every diagram points at it, so the
 * clones carry no duplicate ids.
 */
export function installDefs(doc: Document): void {
  if (doc.getElementById('arrowhead')) return;
  const svg = el('svg', { width: 0, height: 0, 'aria-hidden': 'true', class: 'defs' });
  const marker = el('marker', { id: 'arrowhead', viewBox: '0 0 8 8', refX: 7, refY: 4, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, el('defs', {}, svg));
  el('path', { d: 'M0,0 L8,4 L0,8 z', class: 'arrowhead' }, marker);
  doc.body.appendChild(svg);
}

/** The diagram of one machine, not yet bound to an actor. */
export function drawMachine(layout: MachineLayout, machineId: string): SVGSVGElement {
  const margin = 6;
  const width = layout.width + 2 * margin;
  const height = layout.height + 2 * margin;
  const svg = el('svg', {
    class: 'diagram',
    viewBox: `${-margin} ${-margin} ${width} ${height}`,
    width,
    height,
    role: 'img',
    'aria-label': `state machine ${machineId}`,
    'data-machine': machineId,
  });

  const states = el('g', { class: 'states' }, svg);
  for (const box of layout.boxes) {
    const s = box.state;
    const compound = s.children.length > 0;
    const g = el(
      'g',
      {
        class: `state ${compound ? 'compound' : 'atomic'} type-${s.type}`,
        'data-state-id': s.id,
        'data-active': 'false',
      },
      states,
    );
    const title = el('title', {}, g);
    title.textContent = [s.id, s.description, s.tags.length > 0 ? `tags: ${s.tags.join(', ')}` : ''].filter(Boolean).join('\n');
    el('rect', { x: box.x, y: box.y, width: box.w, height: box.h, rx: compound ? 8 : 6, class: 'box' }, g);
    if (s.type === 'final') el('rect', { x: box.x + 3, y: box.y + 3, width: box.w - 6, height: box.h - 6, rx: 4, class: 'final-ring' }, g);
    if (box.region) g.classList.add('region');
    const label = el('text', compound ? { x: box.x + 8, y: box.y + 14, class: 'name' } : { x: box.x + box.w / 2, y: box.y + box.h / 2 + 4, class: 'name', 'text-anchor': 'middle' }, g);
    label.textContent = s.key;
    if (box.initial) {
      const x = box.x + 12;
      el('circle', { cx: x, cy: box.y - 10, r: 3, class: 'initial-dot' }, states);
      el('path', { d: `M${x},${box.y - 7} L${x},${box.y}`, class: 'initial-line', 'marker-end': 'url(#arrowhead)' }, states);
    }
  }

  const edges = el('g', { class: 'edges' }, svg);
  for (const p of layout.entryPoints) el('circle', { cx: p.x, cy: p.y, r: 3.5, class: 'entry-dot' }, edges);
  for (const edge of layout.edges) {
    const g = el('g', { class: 'edge', 'data-source': edge.arrow.source, 'data-target': edge.arrow.target }, edges);
    el('path', { d: smoothPath(edge.points), class: 'line', 'marker-end': 'url(#arrowhead)' }, g);
    const text = el('text', { x: edge.labelAt.x, y: edge.labelAt.y + 3.5, class: 'label', 'text-anchor': edge.labelAnchor }, g);
    text.textContent = edge.label;
  }
  return svg;
}

/** One actor's copy of a machine diagram. */
export class DiagramView {
  readonly svg: SVGSVGElement;
  readonly #states = new Map<string, SVGGElement>();
  readonly #edges: SVGGElement[];

  constructor(template: SVGSVGElement) {
    this.svg = template.cloneNode(true) as SVGSVGElement;
    for (const g of this.svg.querySelectorAll<SVGGElement>('g.state')) this.#states.set(g.dataset.stateId ?? '', g);
    this.#edges = [...this.svg.querySelectorAll<SVGGElement>('g.edge')];
  }

  /** Lights every active state (leaves and their parents) and the arrows leaving them. */
  setActive(active: ReadonlySet<string>, leaves: ReadonlySet<string>): void {
    for (const [id, g] of this.#states) {
      const on = active.has(id);
      g.dataset.active = on ? 'true' : 'false';
      g.classList.toggle('leaf', leaves.has(id));
    }
    for (const g of this.#edges) g.classList.toggle('enabled', active.has(g.dataset.source ?? '\u0000') || g.dataset.source === '');
  }
}
