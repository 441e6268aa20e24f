// The driver's shortcuts keep its answer: later sweeps try only nodes whose last attempt
// read something that changed since, and a one-level pre-check turns most attempts away
// before the matcher runs. Over real exports: the result is a fixed point (running the
// rules again changes nothing), and the pre-check never turns away a rule that matches.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from '../api/load.js';
import { opKey } from '../ir/graph.js';
import { canonicalize } from '../passes/pipeline.js';
import { allModels, warnIfNoSharedModels } from '../test/models.js';
import { attemptRule } from './apply.js';
import { applyRules, indexRules } from './driver.js';
import { BUILTIN_RULES } from './library.js';
import { WorkingGraph } from './working-graph.js';

warnIfNoSharedModels('driver speed');
// One export of each family and exporter keeps the suite short; the deep models are the same layers repeated.
const models = allModels().filter((m) => !path.basename(m.file).includes('_deep') && !m.file.endsWith('.pt2'));

describe('driver shortcuts over real exports', () => {
  it.each(models.map((m) => [path.basename(m.file), m.file] as const))('%s', (_name, file) => {
    const graph = canonicalize(load(file));
    const fused = applyRules(graph, BUILTIN_RULES);
    expect(fused.trace.converged).toBe(true);
    expect(fused.trace.applications.length).toBeGreaterThan(0);
    // A fixed point: nothing the worklist skipped could still have fired.
    expect(applyRules(fused.graph, BUILTIN_RULES).trace.applications).toEqual([]);

    // The brief attempt (pre-check first) agrees with the full one at every node, before fusion.
    const g = new WorkingGraph(graph);
    const index = indexRules(BUILTIN_RULES);
    let matched = 0;
    for (const node of graph.nodes) {
      for (const rule of index.get(opKey(node.domain, node.op)) ?? []) {
        const full = attemptRule(g, rule, node);
        expect(attemptRule(g, rule, node, { failure: 'brief' }).ok, `${rule.name} at ${node.name}`).toBe(full.ok);
        if (full.ok) matched++;
      }
    }
    expect(matched).toBeGreaterThan(0);
  });
});
