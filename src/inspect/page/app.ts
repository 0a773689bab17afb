/**
 * The page: applies server messages to the actor cards, the alert list and the header. Cards
 * are updated in place as messages arrive (a state change is lit at once); charts are
 * redrawn on a timer, since metrics come at up to 10 Hz per actor.
 */
import type { ServerMessage } from '../protocol.js';
import { ActorCard } from './actorCard.js';
import type { ConnectionStatus } from './connection.js';
import { drawMachine, installDefs } from './diagram.js';
import { formatClock, formatDuration } from './format.js';
import { layoutMachine } from './layout.js';
import { readGraph } from './machineGraph.js';

/** Alerts kept in the page-wide list. */
const ALERTS = 30;
const CHART_REDRAW_MS = 500;

export class App {
  readonly #doc: Document;
  readonly #actors: HTMLElement;
  readonly #alerts: HTMLOListElement;
  readonly #empty: HTMLElement;
  readonly #connection: HTMLElement;
  readonly #server: HTMLElement;
  readonly #count: HTMLElement;
  readonly #cards = new Map<string, ActorCard>();
  /** Raw graphs from 'hello' and the diagrams made from them, by machine key: one per machine, shared by its actors. */
  #machines: Record<string, unknown> = {};
  readonly #templates = new Map<string, SVGSVGElement | null>();
  #startedAt = 0;
  #version = '';
  /** Server clock minus ours, from the last timestamped message: charts end at the server's now. */
  #skew = 0;

  constructor(doc: Document) {
    this.#doc = doc;
    const byId = (id: string): HTMLElement => {
      const node = doc.getElementById(id);
      if (!node) throw new Error(`inspector page: #${id} is missing from index.html`);
      return node;
    };
    this.#actors = byId('actors');
    this.#alerts = byId('alert-list') as HTMLOListElement;
    this.#empty = byId('empty');
    this.#connection = byId('connection');
    this.#server = byId('server');
    this.#count = byId('count');
    installDefs(doc);
    setInterval(() => this.#tick(), CHART_REDRAW_MS);
  }

  status(status: ConnectionStatus): void {
    const text =
      status.state === 'open'
        ? 'connected'
        : status.state === 'connecting'
          ? status.attempt > 1
            ? `connecting (attempt ${status.attempt})…`
            : 'connecting…'
          : `${status.reason}; retrying in ${(status.retryInMs / 1000).toFixed(1)} s`;
    this.#connection.textContent = text;
    this.#connection.dataset.connection = status.state;
    this.#doc.body.dataset.connection = status.state;
  }

  message(message: ServerMessage): void {
    if ('at' in message) this.#skew = message.at - Date.now();
    switch (message.t) {
      case 'hello':
        // A (re)connect: the server sends every actor again, so start from nothing.
        this.#machines = message.machines;
        this.#templates.clear();
        for (const card of this.#cards.values()) card.root.remove();
        this.#cards.clear();
        this.#alerts.replaceChildren();
        this.#startedAt = message.startedAt;
        this.#version = message.version;
        this.#skew = 0;
        break;
      case 'actor': {
        const card = this.#cards.get(message.id);
        if (!card) {
          const created = new ActorCard(message, this.#template(message.machine));
          this.#cards.set(message.id, created);
          this.#actors.append(created.root);
        } else {
          if (card.machine !== message.machine) card.setMachine(message.machine, this.#template(message.machine));
          card.update(message);
        }
        break;
      }
      case 'removed':
        this.#cards.get(message.id)?.root.remove();
        this.#cards.delete(message.id);
        break;
      case 'metrics':
        this.#cards.get(message.id)?.addMetrics(message);
        break;
      case 'alert': {
        this.#cards.get(message.source)?.addAlert(message);
        const item = this.#doc.createElement('li');
        item.className = `alert level-${message.level}`;
        const time = this.#doc.createElement('time');
        time.className = 'muted';
        time.textContent = formatClock(message.at);
        const source = this.#doc.createElement('span');
        source.className = 'source';
        source.textContent = message.source;
        const text = this.#doc.createElement('span');
        text.className = 'message';
        text.textContent = message.message;
        item.append(time, source, text);
        this.#alerts.prepend(item);
        while (this.#alerts.children.length > ALERTS) this.#alerts.lastElementChild?.remove();
        break;
      }
    }
    this.#header();
  }

  #template(machine: string): SVGSVGElement | null {
    let template = this.#templates.get(machine);
    if (template === undefined) {
      const graph = readGraph(machine, this.#machines[machine]);
      template = graph ? drawMachine(layoutMachine(graph), machine) : null;
      this.#templates.set(machine, template);
    }
    return template;
  }

  #header(): void {
    const n = this.#cards.size;
    this.#count.textContent = `${n} actor${n === 1 ? '' : 's'}`;
    this.#empty.hidden = n > 0;
    this.#doc.getElementById('alerts')?.toggleAttribute('data-empty', this.#alerts.children.length === 0);
  }

  #tick(): void {
    const now = Date.now() + this.#skew;
    for (const card of this.#cards.values()) card.drawCharts(now);
    if (this.#startedAt > 0) this.#server.textContent = `avbuf ${this.#version} · up ${formatDuration(now - this.#startedAt)}`;
  }
}
