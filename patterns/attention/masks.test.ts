// What maskCoverage proves about a mask: only what constants, Where over constants and
// Expand guarantee; anything computed from inputs stays 'unknown' (and gets the row fix-up).
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../ir/builder.js';
import { makeTensor } from '../../ir/tensor.js';
import { WorkingGraph } from '../working-graph.js';
import { maskCoverage } from './masks.js';

function coverageOf(build: (b: GraphBuilder) => string): string {
  const b = new GraphBuilder('mask');
  const mask = build(b);
  b.output(mask);
  return maskCoverage(new WorkingGraph(b.build()), mask);
}

const FINFO_MIN = -3.4028234663852886e38;

describe('maskCoverage', () => {
  it("proves HF's finfo.min masks never mask anything, whatever the keep input", () => {
    expect(coverageOf((b) => {
      b.input('keep', 'bool', [2, 1, 1, 4]);
      return b.node('Where', ['keep', b.initializer('z', makeTensor('float32', [], [0])), b.initializer('m', makeTensor('float32', [], [FINFO_MIN]))])[0]!;
    })).toBe('never-masks');
  });

  it('follows Where(keep, 0, -inf) into keep: an expanded all-true constant never masks', () => {
    expect(coverageOf((b) => {
      b.input('x', 'float32', [2, 1, 3, 3]);
      const ones = b.initializer('ones', makeTensor('bool', [1, 1, 3, 1], [1, 1, 1]));
      const [keep] = b.node('Expand', [ones, b.initializer('to', makeTensor('int64', [4], [2, 1, 3, 3]))]);
      return b.node('Where', [keep!, b.initializer('z', makeTensor('float32', [1], [0])), b.initializer('m', makeTensor('float32', [1], [-Infinity]))])[0]!;
    })).toBe('never-masks');
  });

  it('tells a constant that keeps a key per row from one with a fully masked row', () => {
    expect(coverageOf((b) => b.initializer('c', makeTensor('bool', [2, 2], [1, 0, 0, 1])))).toBe('keeps-a-key-per-row');
    expect(coverageOf((b) => b.initializer('c', makeTensor('bool', [2, 2], [1, 0, 0, 0])))).toBe('unknown');
    expect(coverageOf((b) => b.initializer('c', makeTensor('float32', [2, 2], [0, -Infinity, -Infinity, 0])))).toBe('keeps-a-key-per-row');
  });

  it('proves nothing about masks computed from inputs', () => {
    expect(coverageOf((b) => {
      b.input('a', 'bool', [2, 1, 1, 4]);
      b.input('c', 'bool', [1, 1, 4, 4]);
      return b.node('And', ['a', 'c'])[0]!;
    })).toBe('unknown');
    expect(coverageOf((b) => {
      b.input('keep', 'bool', [2, 1, 1, 4]);
      return b.node('Where', ['keep', b.initializer('z', makeTensor('float32', [], [0])), b.initializer('m', makeTensor('float32', [], [-Infinity]))])[0]!;
    })).toBe('unknown');
  });
});
