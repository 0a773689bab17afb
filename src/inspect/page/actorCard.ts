/**
 * One actor's card: id, kind, status, its machine with the current state lit, and, once
 * metrics arrive, fill and throughput over the last minute, its counters and its last alerts.
 *
 * For tests and assistive tools the card carries `data-actor-id`, `data-state` (the state
 * value's leaves, each joined by '.', several joined by ','), `data-status` and `data-kind`;
 * lit diagram states carry `data-active="true"` beside their `data-state-id`.
 */
import type { ServerMessage } from '../protocol.js';
import { DiagramView } from './diagram.js';
import { formatClock, formatNumber, formatPercent, formatRate } from './format.js';
import { Series } from './series.js';
import { activePaths, leafPaths, stateText } from './stateValue.js';

type ActorMessage = Extract<ServerMessage, { t: 'actor' }>;
type MetricsMessage = Extract<ServerMessage, { t: 'metrics' }>;
type AlertMessage = Extract<ServerMessage, { t: 'alert' }>;

/** Alerts kept per card. */
const CARD_ALERTS = 5;
/** Counter names that count trouble (dropped, underruns, errors, faults, refusals, stalls…). */
const TROUBLE = /drop|underrun|overrun|error|fault|refus|stall|miss|late/i;
const CHART_W = 240;
const CHART_H = 40;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A sparkline with a title and the latest value. */
class Chart {
  readonly root: HTMLElement;
  readonly series = new Series();
  readonly #value: HTMLElement;
  readonly #line: SVGPathElement;
  readonly #area: SVGPathElement;

  constructor(name: string, className: string) {
    this.root = h('figure', `chart ${className}`);
    const head = h('figcaption', 'chart-head');
    head.append(h('span', 'chart-name', name));
    this.#value = h('span', 'chart-value', '—');
    head.append(this.#value);
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('viewBox', `0 0 ${CHART_W} ${CHART_H}`);
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('aria-hidden', 'true');
    this.#area = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    this.#area.setAttribute('class', 'area');
    this.#line = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    this.#line.setAttribute('class', 'line');
    svg.append(this.#area, this.#line);
    this.root.append(head, svg);
  }

  /** Redraws with `now` at the right edge and `top` as the full scale. */
  draw(now: number, top: number, valueText: string): void {
    this.series.trim(now);
    this.#line.setAttribute('d', this.series.path(now, CHART_W, CHART_H, top));
    this.#area.setAttribute('d', this.series.path(now, CHART_W, CHART_H, top, true));
    this.#value.textContent = valueText;
  }
}

export class ActorCard {
  readonly root: HTMLElement;
  readonly id: string;
  machine: string;
  #stateKey = '';
  #diagram: DiagramView | null = null;
  readonly #kind: HTMLElement;
  readonly #status: HTMLElement;
  readonly #state: HTMLElement;
  readonly #tags: HTMLElement;
  readonly #diagramWrap: HTMLElement;
  readonly #metrics: HTMLElement;
  readonly #fill = new Chart('fill', 'fill');
  readonly #throughput = new Chart('throughput', 'throughput');
  readonly #counters: HTMLElement;
  readonly #counterValues = new Map<string, HTMLElement>();
  #counterNames = '';
  readonly #alerts: HTMLOListElement;
  #unit = '';
  #lastFill: number | null = null;
  #lastRate: number | null = null;
  #hasMetrics = false;

  constructor(message: ActorMessage, template: SVGSVGElement | null) {
    this.id = message.id;
    this.machine = message.machine;
    this.root = h('article', 'card');
    this.root.dataset.actorId = message.id;
    this.root.setAttribute('aria-label', `actor ${message.id}`);

    const head = h('header', 'card-head');
    head.append(h('h2', 'actor-id', message.id));
    this.#kind = h('span', 'kind');
    this.#status = h('span', 'status');
    head.append(this.#kind, this.#status);

    const line = h('div', 'state-line');
    this.#state = h('code', 'state');
    this.#tags = h('span', 'tags');
    line.append(h('span', 'muted', 'state '), this.#state, this.#tags);
    if (message.parent !== null) line.append(h('span', 'parent muted', `in ${message.parent}`));

    this.#diagramWrap = h('div', 'diagram-wrap');
    this.setMachine(message.machine, template);

    this.#metrics = h('section', 'metrics');
    this.#metrics.hidden = true;
    this.#metrics.setAttribute('aria-label', 'metrics');
    this.#counters = h('dl', 'counters');
    const charts = h('div', 'charts');
    charts.append(this.#fill.root, this.#throughput.root);
    this.#metrics.append(charts, this.#counters);

    this.#alerts = h('ol', 'card-alerts');
    this.#alerts.hidden = true;

    this.root.append(head, line, this.#diagramWrap, this.#metrics, this.#alerts);
    this.update(message);
  }

  /** Shows a (new) machine diagram, or says why there is none. */
  setMachine(machine: string, template: SVGSVGElement | null): void {
    this.machine = machine;
    this.#diagramWrap.replaceChildren();
    this.#diagram = template ? new DiagramView(template) : null;
    if (this.#diagram) this.#diagramWrap.append(this.#diagram.svg);
    else this.#diagramWrap.append(h('p', 'muted no-diagram', `no diagram for machine “${machine}”`));
    this.#stateKey = '';
  }

  update(message: ActorMessage): void {
    const text = stateText(message.state);
    this.root.dataset.state = text;
    this.root.dataset.status = message.status;
    this.root.dataset.kind = message.kind;
    this.#kind.textContent = message.kind;
    this.#status.textContent = message.status;
    this.#status.className = `status status-${message.status}`;
    this.#state.textContent = text;
    this.#tags.textContent = message.tags.length > 0 ? message.tags.join(' · ') : '';
    if (text !== this.#stateKey && this.#diagram) {
      this.#diagram.setActive(activePaths(message.state), new Set(leafPaths(message.state)));
      this.#stateKey = text;
    }
  }

  addMetrics(message: MetricsMessage): void {
    this.#fill.series.push(message.at, message.fill);
    this.#throughput.series.push(message.at, message.throughput);
    this.#unit = message.unit;
    this.#lastFill = message.fill;
    this.#lastRate = message.throughput;
    if (!this.#hasMetrics) {
      this.#hasMetrics = true;
      this.#metrics.hidden = false;
    }
    this.#fill.root.hidden = this.#fill.series.length === 0;
    this.#throughput.root.hidden = this.#throughput.series.length === 0;
    const rows = Object.entries(message.counters);
    // Rebuild only when the set of counters changes; otherwise update the numbers in place
    // (metrics come at up to 10 Hz per actor).
    const names = rows.map(([k]) => k).join('\u0000');
    if (this.#counterNames !== names) {
      this.#counterNames = names;
      this.#counterValues.clear();
      this.#counters.replaceChildren(
        ...rows.flatMap(([k]) => {
          const dd = h('dd', '');
          dd.dataset.counter = k;
          this.#counterValues.set(k, dd);
          return [h('dt', '', k), dd];
        }),
      );
    }
    for (const [k, v] of rows) {
      const dd = this.#counterValues.get(k)!;
      const text = formatNumber(v);
      if (dd.textContent !== text) dd.textContent = text;
      // Counters of trouble stand out once they are not zero.
      dd.classList.toggle('nonzero', v !== 0 && TROUBLE.test(k));
    }
  }

  addAlert(alert: AlertMessage): void {
    const item = h('li', `alert level-${alert.level}`);
    item.append(h('time', 'muted', formatClock(alert.at)), h('span', 'level', alert.level), h('span', 'message', alert.message));
    this.#alerts.prepend(item);
    while (this.#alerts.children.length > CARD_ALERTS) this.#alerts.lastElementChild?.remove();
    this.#alerts.hidden = false;
  }

  /** Redraws the charts with `now` (server time) at the right edge. */
  drawCharts(now: number): void {
    if (!this.#hasMetrics) return;
    this.#fill.draw(now, 1, formatPercent(this.#lastFill));
    this.#throughput.draw(now, this.#throughput.series.max * 1.1, formatRate(this.#lastRate, this.#unit));
  }
}
