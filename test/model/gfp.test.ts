import { describe, expect, it } from 'vitest';
import { gfpMayWait, parseGfp } from '../../src/model/gfp.js';

describe('gfp masks are flag sets (include/linux/gfp.h)', () => {
  it('GFP_KERNEL may wait, do I/O and call file systems; GFP_NOIO may only wait; GFP_ATOMIC only dips into reserves', () => {
    expect([...parseGfp('GFP_KERNEL').flags].sort()).toEqual(['__GFP_FS', '__GFP_IO', '__GFP_WAIT']);
    expect([...parseGfp('GFP_NOIO').flags]).toEqual(['__GFP_WAIT']);
    expect([...parseGfp('GFP_ATOMIC').flags]).toEqual(['__GFP_HIGH']);
    expect(gfpMayWait('GFP_NOWAIT')).toBe(false);
    expect(gfpMayWait('GFP_NOFS')).toBe(true);
  });

  it('GFP_KERNEL|GFP_ATOMIC is a sleeping allocation with __GFP_HIGH, and earns the warning "GFP_ATOMIC must be used alone"', () => {
    const m = parseGfp('GFP_KERNEL|GFP_ATOMIC');
    expect(m.flags.has('__GFP_WAIT')).toBe(true);
    expect(m.flags.has('__GFP_HIGH')).toBe(true);
    expect(m.warnings).toEqual(['GFP_KERNEL|GFP_ATOMIC: GFP_ATOMIC must be used alone']);
    expect(parseGfp('GFP_NOIO|__GFP_HIGH').warnings).toEqual([]);
  });

  it('refuses an unknown part, naming it and the allowed ones', () => {
    expect(() => parseGfp('GFP_KERNEL|GFP_BOGUS')).toThrow(/unknown part 'GFP_BOGUS' \(allowed: GFP_ATOMIC, .*__GFP_WAIT/);
  });
});
