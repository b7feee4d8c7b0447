/** When the running slice began, and the wait for the next turn if one is under way. */
interface SliceClock {
  sliceStart: number;
  turn?: Promise<void>;
}

/** The clock every TimeSlices of this thread shares unless asked otherwise. */
const threadClock: SliceClock = { sliceStart: performance.now() };

/**
 * Keeps a long computation from holding its thread: `pause()` returns at
 * once until `sliceMs` have passed since the last pause that waited, then
 * waits for the event loop's next turn, so that timers, I/O and other
 * requests run between slices. Work made of promises that resolve at once
 * (pure drivers, loops over thousands of items) would otherwise run to its
 * end as one task.
 *
 * All TimeSlices of a thread share one clock: a turn of the event loop runs
 * one slice of sliced work in all, however many computations are under way
 * (a deployment records, renders and writes at once; a second deployment
 * may run beside it). Each on a clock of its own would run a slice apiece
 * per turn, and a request waiting for the next turn would wait for all.
 *
 * @public
 */
export class TimeSlices {
  private readonly clock: SliceClock;

  constructor(
    private readonly sliceMs = Number(process.env.BATON_SLICE_MS ?? 5),
    options: { ownClock?: boolean } = {},
  ) {
    this.clock = options.ownClock ? { sliceStart: performance.now() } : threadClock;
  }

  /**
   * Whether the running slice is over (or a turn is awaited): a loop of many
   * short synchronous steps asks this and awaits {@link TimeSlices.pause}
   * only then, without the cost of an await per step.
   */
  due(): boolean {
    return this.clock.turn !== undefined || performance.now() - this.clock.sliceStart >= this.sliceMs;
  }

  /**
   * Concurrent callers share one wait: they all resume on the same turn and
   * share its slice. Each waiting on a turn of its own would run a slice per
   * caller in one pass of the event loop, and callers multiply.
   */
  pause(): Promise<void> {
    const clock = this.clock;
    if (clock.turn) return clock.turn;
    if (performance.now() - clock.sliceStart < this.sliceMs) return Promise.resolve();
    clock.turn = new Promise<void>(resolve =>
      setImmediate(() => {
        clock.turn = undefined;
        clock.sliceStart = performance.now();
        resolve();
      }),
    );
    return clock.turn;
  }
}

/**
 * Work written as a generator that yields between its steps runs either at
 * once ({@link runSteps}) or in time slices ({@link runStepsInSlices}), so
 * one implementation serves synchronous callers and servers alike.
 *
 * @public
 */
export function runSteps<T>(steps: Generator<void, T>): T {
  let step = steps.next();
  while (!step.done) step = steps.next();
  return step.value;
}

/** See {@link runSteps}. @public */
export async function runStepsInSlices<T>(steps: Generator<void, T>): Promise<T> {
  const slices = new TimeSlices();
  let step = steps.next();
  while (!step.done) {
    if (slices.due()) await slices.pause();
    step = steps.next();
  }
  return step.value;
}

/** Strings longer than this are escaped in pieces of this size. */
const BIG_STRING = 64 * 1024;

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * `JSON.stringify(value)` for big values, in time slices: the top levels
 * (`depth` of them) are walked here, a pause between items, and what lies
 * below is stringified at once.
 *
 * @public
 */
export async function stringifyInSlices(value: unknown, depth = 2, slices = new TimeSlices()): Promise<string> {
  // Joined a thousand at a time as they come: one join of hundreds of thousands
  // of parts at the end would itself hold the thread.
  const pieces: string[] = [];
  let parts: string[] = [];
  await stringifyPieces(
    value,
    part => {
      parts.push(part);
      if (parts.length >= 1000) {
        pieces.push(parts.join(''));
        parts = [];
      }
    },
    depth,
    slices,
  );
  pieces.push(parts.join(''));
  await slices.pause();
  return pieces.join('');
}

/**
 * {@link stringifyInSlices} handing over its text in pieces as they are made
 * (a value below `depth`, a bracket, a key, up to 64 KiB of a long string),
 * for a consumer that streams them on: a text of tens of megabytes is then
 * never joined or encoded in one step.
 *
 * @public
 */
export async function stringifyPieces(
  value: unknown,
  onPiece: (piece: string) => unknown,
  depth = 2,
  slices = new TimeSlices(),
): Promise<void> {
  // A synchronous walk that stops only when a slice is over: awaiting between
  // the values of a big plan (thousands of them, an async call each) cost the
  // thread more than stringifying them did.
  const steps = stringifySteps(value, onPiece, depth);
  while (!steps.next().done) {
    if (slices.due()) await slices.pause();
  }
}

/** {@link stringifyPieces} as steps, a step between values and between the pieces of a long string. */
function* stringifySteps(value: unknown, onPiece: (piece: string) => unknown, depth: number): Generator<void, void> {
  function* write(v: unknown, level: number): Generator<void, void> {
    yield;
    if (typeof v === 'string' && v.length > BIG_STRING) {
      // A file of megabytes (every resource manifest of a big app): escaped piece by piece.
      onPiece('"');
      for (let i = 0; i < v.length; ) {
        let end = Math.min(v.length, i + BIG_STRING);
        // Never between the halves of a surrogate pair: a lone half is escaped (\udxxx), a pair is not.
        if (end < v.length && isHighSurrogate(v.charCodeAt(end - 1))) end--;
        onPiece(JSON.stringify(v.slice(i, end)).slice(1, -1));
        i = end;
        yield;
      }
      onPiece('"');
      return;
    }
    const hasToJSON = v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function';
    if (level >= depth || v === null || typeof v !== 'object' || hasToJSON) {
      onPiece(JSON.stringify(v) ?? 'null');
      return;
    }
    if (Array.isArray(v)) {
      onPiece('[');
      for (let i = 0; i < v.length; i++) {
        if (i) onPiece(',');
        const item = v[i];
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') onPiece('null');
        else yield* write(item, level + 1);
      }
      onPiece(']');
      return;
    }
    onPiece('{');
    let first = true;
    for (const [key, item] of Object.entries(v)) {
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      onPiece(`${first ? '' : ','}${JSON.stringify(key)}:`);
      first = false;
      yield* write(item, level + 1);
    }
    onPiece('}');
  }
  yield* write(value, 0);
}

/** The characters that open, close or quote inside a JSON container. */
const CONTAINER_TOKEN = /["{}[\]]/g;
/** What ends a number, `true`, `false` or `null`. */
const PRIMITIVE_END = /[\s,\]}]/g;

function isJsonSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/**
 * `JSON.parse(text)` for big texts, in time slices: the top levels (`depth`
 * of them, as {@link stringifyInSlices} writes them) are read here, a pause
 * between items, and each value below is parsed at once: a graph of tens of
 * thousands of nodes, parsed whole, would hold the thread.
 * Invalid JSON throws a SyntaxError, as `JSON.parse` does.
 *
 * @public
 */
export async function parseInSlices(text: string, depth = 2, slices = new TimeSlices()): Promise<unknown> {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} in JSON at position ${i}`);
  };
  const skipSpace = () => {
    while (i < text.length && isJsonSpace(text.charCodeAt(i))) i++;
  };
  /** The index after the string that starts at `from`. */
  const stringEnd = (from: number): number => {
    for (let quote = text.indexOf('"', from + 1); quote >= 0; quote = text.indexOf('"', quote + 1)) {
      let backslashes = 0;
      while (text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes++;
      if (backslashes % 2 === 0) return quote + 1;
    }
    return fail('Unterminated string');
  };
  /** The index after the value that starts at `from`. */
  const valueEnd = (from: number): number => {
    const first = text[from];
    if (first === '"') return stringEnd(from);
    if (first !== '{' && first !== '[') {
      PRIMITIVE_END.lastIndex = from;
      return PRIMITIVE_END.exec(text)?.index ?? text.length;
    }
    let open = 0;
    CONTAINER_TOKEN.lastIndex = from;
    for (let token = CONTAINER_TOKEN.exec(text); token; token = CONTAINER_TOKEN.exec(text)) {
      const t = token[0];
      if (t === '"') CONTAINER_TOKEN.lastIndex = stringEnd(token.index);
      else if (t === '{' || t === '[') open++;
      else if (--open === 0) return token.index + 1;
    }
    return fail('Unexpected end');
  };
  const parse = async (level: number): Promise<unknown> => {
    if (slices.due()) await slices.pause();
    skipSpace();
    const first = text[i];
    if (level >= depth || (first !== '{' && first !== '[')) {
      const end = valueEnd(i);
      const value = JSON.parse(text.slice(i, end));
      i = end;
      return value;
    }
    i++;
    skipSpace();
    if (first === '[') {
      const items: unknown[] = [];
      if (text[i] === ']') {
        i++;
        return items;
      }
      for (;;) {
        items.push(await parse(level + 1));
        skipSpace();
        const next = text[i++];
        if (next === ']') return items;
        if (next !== ',') fail(`Unexpected token ${next}`);
      }
    }
    const object: Record<string, unknown> = {};
    if (text[i] === '}') {
      i++;
      return object;
    }
    for (;;) {
      skipSpace();
      if (text[i] !== '"') fail(`Unexpected token ${text[i]}`);
      const keyEnd = stringEnd(i);
      const key = JSON.parse(text.slice(i, keyEnd)) as string;
      i = keyEnd;
      skipSpace();
      if (text[i++] !== ':') fail('Expected a colon');
      const value = await parse(level + 1);
      // As JSON.parse does: a key named __proto__ is an own property, not the prototype.
      Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
      skipSpace();
      const next = text[i++];
      if (next === '}') return object;
      if (next !== ',') fail(`Unexpected token ${next}`);
    }
  };
  const value = await parse(0);
  skipSpace();
  if (i < text.length) fail('Unexpected data after the value');
  return value;
}
