import { stringifyInSlices, TimeSlices } from './timeSlices';

describe('TimeSlices', () => {
  it('lets concurrent callers wait for one turn together, so a turn runs one slice, not one per caller', async () => {
    const slices = new TimeSlices(0, { ownClock: true });
    await new Promise(r => setTimeout(r, 1)); // the first slice is over
    const waits = Array.from({ length: 5 }, () => slices.pause());
    expect(new Set(waits).size).toBe(1);
    await Promise.all(waits);
    // After the turn a new slice starts: within it, callers go on at once.
    const later = new TimeSlices(60_000, { ownClock: true });
    const first = later.pause();
    let resolvedAtOnce = false;
    first.then(() => (resolvedAtOnce = true));
    await Promise.resolve();
    expect(resolvedAtOnce).toBe(true);
  });

  it('shares one clock between the computations of a thread: a turn runs one slice in all', async () => {
    const recording = new TimeSlices();
    const rendering = new TimeSlices();
    await new Promise(r => setTimeout(r, 10)); // the running slice is over
    const first = recording.pause();
    // Another computation asking now waits for the same turn instead of running a slice of its own.
    expect(rendering.pause()).toBe(first);
    await first;
    let resolvedAtOnce = false;
    rendering.pause().then(() => (resolvedAtOnce = true));
    await Promise.resolve();
    expect(resolvedAtOnce).toBe(true);
  });
});

describe('stringifyInSlices', () => {
  it.each([
    ['a plan-like object', { app: 'a', nodes: [{ uid: 'x', outputs: { n: 1 } }, { uid: 'y', outputs: {} }], skipped: undefined }],
    ['an array with holes JSON fills', [1, undefined, () => 1, 'x', null, { a: undefined, b: [undefined] }]],
    ['files by path', { 'a/b.yaml': 'kind: Deployment\n', 'c.yaml': '' }],
    ['dates and other values with toJSON', { when: new Date(0), nested: { when: new Date(1) } }],
    ['plain values', 'text'],
    ['an empty object', {}],
    ['deep values below the walked levels', { a: { b: { c: { d: [1, { e: undefined }] } } } }],
    ['a string of megabytes with escapes, and a surrogate pair across a piece boundary', {
      'resources.yaml': `${'a'.repeat(65_535)}${'😀'.repeat(70_000)}\ud800 lone ${'kind: "x"\\n\ttab\u0001 ü '.repeat(9000)}`,
    }],
    ['thousands of items, joined piece by piece', { nodes: Array.from({ length: 5000 }, (_, i) => ({ i, s: `x${i}`, u: undefined })) }],
  ])('gives the same text as JSON.stringify for %s', async (_, value) => {
    expect(await stringifyInSlices(value)).toBe(JSON.stringify(value));
    expect(await stringifyInSlices(value, 5)).toBe(JSON.stringify(value));
  });
});
