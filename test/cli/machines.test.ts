/**
 * `avbuf machines`, run as a user runs it: the built dist/cli/avbuf.js in a child process
 * (`npm test` builds first).
 */
import { describe, expect, it } from 'vitest';
import { avbuf } from '../helpers/cli.js';
import type { MachineGraph } from '../../src/inspect/graph.js';
import { ALL_MACHINES, allMachineGraphs } from '../../src/inspect/machines.js';
import { toMarkdown } from '../../src/inspect/render.js';



describe('avbuf machines', () => {
  it('prints every machine as JSON, the same graphs as machineGraph in process', () => {
    const { code, stdout, stderr } = avbuf('machines', '--format', 'json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const printed = JSON.parse(stdout) as { name: string; exportName: string; graph: MachineGraph }[];
    expect(printed.map((m) => [m.name, m.exportName, m.graph.id])).toEqual([
      ['Buffer lifecycle', 'bufferLifecycleMachine', 'buffer'],
      ['Buffer manager', 'bufferManagerMachine', 'bufferManager'],
      ['Memory monitor', 'memoryMonitorMachine', 'memoryMonitor'],
      ['Ring flow', 'ringFlowMachine', 'ringFlow'],
      ['Delay line', 'delayLineMachine', 'delayLine'],
      ['File job', 'fileJobMachine', 'fileJob'],
    ]);
    const delay = printed.find((m) => m.graph.id === 'delayLine')!.graph;
    expect(delay.states.map((s) => s.id)).toContain('playing.flowing');
    expect(delay.transitions.filter((t) => t.kind === 'after').map((t) => t.event)).toEqual(['after startTimeout', 'after stallTimeout', 'after shutdownTimeout']);
    // A stale dist/ would differ here: `npm run build` after changing a machine.
    expect(printed).toEqual(JSON.parse(JSON.stringify(allMachineGraphs())));
  });

  it('prints one Mermaid diagram per machine by default, each headed by its name', () => {
    const { code, stdout } = avbuf('machines');
    expect(code).toBe(0);
    expect(stdout.match(/^stateDiagram-v2$/gm)).toHaveLength(ALL_MACHINES.length);
    for (const { name, exportName } of ALL_MACHINES) expect(stdout).toContain(`%% ${name} (${exportName})\nstateDiagram-v2\n`);
    expect(avbuf('machines', '--format', 'mermaid').stdout).toBe(stdout);
  });

  it('prints Graphviz digraphs with --format dot and the docs page with --format markdown', () => {
    const dot = avbuf('machines', '--format', 'dot');
    expect(dot.code).toBe(0);
    expect(dot.stdout.match(/^digraph "[^"]+" \{$/gm)).toEqual(['digraph "buffer" {', 'digraph "bufferManager" {', 'digraph "memoryMonitor" {', 'digraph "ringFlow" {', 'digraph "delayLine" {', 'digraph "fileJob" {']);
    const markdown = avbuf('machines', '--format', 'markdown');
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toBe(toMarkdown(allMachineGraphs()));
  });

  it('refuses an unknown format with exit code 2 and names the formats', () => {
    const { code, stdout, stderr } = avbuf('machines', '--format', 'nope');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('avbuf machines: unknown format "nope" (expected mermaid, dot, json, markdown)\n');
  });

  it('refuses a stray argument and is listed in the usage', () => {
    expect(avbuf('machines', 'delayLine')).toMatchObject({ code: 2, stdout: '' });
    expect(avbuf('--help').stdout).toContain('machines [--format mermaid|dot|json|markdown]');
  });
});
