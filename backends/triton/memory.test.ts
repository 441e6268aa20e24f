// The arena allocator: no two buffers live at the same launch share a byte, offsets are
// aligned, and the arena never exceeds giving every buffer its own memory.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BufferUse, alignUp, planMemory } from './memory.js';

const uses = fc.array(
  fc.record({ bytes: fc.integer({ min: 1, max: 5000 }), first: fc.integer({ min: 0, max: 30 }), span: fc.integer({ min: 0, max: 10 }) }),
  { maxLength: 40 },
).map((xs) => xs.map((x, i): BufferUse => ({ name: `b${i}`, bytes: x.bytes, first: x.first, last: x.first + x.span })));

describe('planMemory', () => {
  it('keeps simultaneously live buffers apart', () => {
    fc.assert(fc.property(uses, (list) => {
      const plan = planMemory(list, 256);
      for (const a of list) {
        const oa = plan.offsets.get(a.name)!;
        expect(oa % 256).toBe(0);
        expect(oa + a.bytes).toBeLessThanOrEqual(plan.size);
        for (const b of list) {
          if (a === b || a.first > b.last || b.first > a.last) continue;
          const ob = plan.offsets.get(b.name)!;
          expect(oa + a.bytes <= ob || ob + b.bytes <= oa).toBe(true);
        }
      }
      expect(plan.size).toBeLessThanOrEqual(plan.naive);
      expect(plan.naive).toBe(list.reduce((s, u) => s + alignUp(u.bytes, 256), 0));
    }));
  });

  it('reuses the memory of a dead buffer, picking the tightest gap', () => {
    const plan = planMemory([
      { name: 'a', bytes: 1024, first: 0, last: 1 },
      { name: 'small', bytes: 256, first: 0, last: 3 },
      { name: 'b', bytes: 512, first: 1, last: 3 },
      { name: 'c', bytes: 512, first: 2, last: 3 },
    ], 256);
    expect(plan.offsets.get('a')).toBe(0);
    expect(plan.offsets.get('small')).toBe(1024);
    expect(plan.offsets.get('b')).toBe(1280);
    expect(plan.offsets.get('c')).toBe(0);
    expect(plan.size).toBe(1792);
    expect(plan.naive).toBe(2304);
  });
});
