/**
 * `avbuf machines [--format mermaid|dot|json|markdown]`: every machine definition, drawn
 * from the machines themselves (docs/machines.md is this command's Markdown).
 */
import { allMachineGraphs } from '../inspect/machines.js';
import { toDot, toMarkdown, toMermaid } from '../inspect/render.js';

export const MACHINE_FORMATS = ['mermaid', 'dot', 'json', 'markdown'] as const;
export type MachineFormat = (typeof MACHINE_FORMATS)[number];

export interface MachinesOptions {
  /** Default `mermaid`. */
  format?: string | undefined;
  /** Where the text goes. Default: process.stdout. */
  write?: (text: string) => void;
  /** Where an error goes. Default: process.stderr. */
  writeError?: (text: string) => void;
}

const isFormat = (format: string): format is MachineFormat => (MACHINE_FORMATS as readonly string[]).includes(format);

/** Prints every machine in the format asked for; returns the exit code (2 for an unknown format). */
export function runMachines(options: MachinesOptions = {}): number {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const writeError = options.writeError ?? ((text: string) => process.stderr.write(text));
  const format = options.format ?? 'mermaid';
  if (!isFormat(format)) {
    writeError(`avbuf machines: unknown format "${format}" (expected ${MACHINE_FORMATS.join(', ')})\n`);
    return 2;
  }
  const graphs = allMachineGraphs();
  switch (format) {
    case 'markdown':
      write(toMarkdown(graphs));
      break;
    case 'json':
      write(`${JSON.stringify(graphs, null, 2)}\n`);
      break;
    case 'mermaid':
      // One diagram per machine, each headed by a Mermaid comment naming it.
      write(graphs.map(({ name, exportName, graph }) => `%% ${name} (${exportName ?? graph.id})\n${toMermaid(graph)}`).join('\n'));
      break;
    case 'dot':
      // `dot` reads several graphs from one file (one output page each).
      write(graphs.map(({ name, exportName, graph }) => `// ${name} (${exportName ?? graph.id})\n${toDot(graph)}`).join('\n'));
      break;
  }
  return 0;
}
