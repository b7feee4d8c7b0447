import { parseInSlices, stringifyInSlices, stringifyPieces, TimeSlices } from './timeSlices';

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

describe('stringifyPieces', () => {
  it('lets timers run while it writes a big value, and hands over the whole text', async () => {
    const value = { nodes: Array.from({ length: 50_000 }, (_, i) => ({ uid: `postgres.default#modules.w${i}.externals.db`, dependsOn: [`w${i}`] })) };
    const pieces: string[] = [];
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      await stringifyPieces(value, piece => pieces.push(piece));
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(0);
    expect(pieces.join('')).toBe(JSON.stringify(value));
  });
});

describe('parseInSlices', () => {
  const texts: [string, string][] = [
    ['a graph-like object', JSON.stringify({ hash: 'h', nodes: [{ uid: 'a', dependsOn: ['b'], params: { n: 1.5e3 } }, { uid: 'b', dependsOn: [] }] })],
    ['strings holding brackets, quotes, escaped backslashes and unicode', JSON.stringify({ s: ['}{][', '"quoted" \\', 'ends with a backslash \\', '\\"', 'ü ✓ 😀 \ud800'], '}': { ']': '[' } })],
    ['numbers, booleans and null at every level', JSON.stringify([0, -1.25e-7, true, false, null, [1, [2, [3]]], { a: null, b: [false] }])],
    ['empty containers and space between tokens', ' { "a" : [ ] , "b" : { } , "c" : [ 1 , { } ] }\n'],
    ['plain values', '"text"'],
    ['a number alone', '42'],
    ['a key named __proto__', '{"__proto__":{"polluted":true},"nodes":[{"__proto__":1}]}'],
    ['thousands of items', JSON.stringify({ nodes: Array.from({ length: 5000 }, (_, i) => ({ uid: `n${i}`, s: '},{"x":"' })) })],
  ];

  it.each(texts)('reads %s as JSON.parse does, at every depth', async (_, text) => {
    for (const depth of [0, 1, 2, 3, 6]) {
      const parsed = await parseInSlices(text, depth);
      expect(parsed).toEqual(JSON.parse(text));
      expect(JSON.stringify(parsed)).toBe(JSON.stringify(JSON.parse(text)));
    }
  });

  it('keeps __proto__ an own key, as JSON.parse does', async () => {
    const parsed = (await parseInSlices('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(['{"a":1', '[1,2', '{"a" 1}', '{"a":1}x', '[1 2]', '{"a":"unterminated}', '{a:1}', ''])('rejects %p with a SyntaxError', async text => {
    await expect(parseInSlices(text)).rejects.toThrow(SyntaxError);
  });

  it('lets timers run while it reads a big text', async () => {
    const text = JSON.stringify({ nodes: Array.from({ length: 50_000 }, (_, i) => ({ uid: `postgres.default#modules.w${i}.externals.db`, dependsOn: [`w${i}`] })) });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      const parsed = (await parseInSlices(text)) as { nodes: unknown[] };
      expect(parsed.nodes).toHaveLength(50_000);
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(0);
  });
});
