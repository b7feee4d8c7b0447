/**
 * Keeps a long computation from holding its thread: `pause()` returns at
 * once until `sliceMs` have passed since the last pause that waited, then
 * waits for the event loop's next turn, so that timers, I/O and other
 * requests run between slices. Work made of promises that resolve at once
 * (pure drivers, loops over thousands of items) would otherwise run to its
 * end as one task.
 *
 * @public
 */
export class TimeSlices {
  private sliceStart = performance.now();

  constructor(private readonly sliceMs = 10) {}

  async pause(): Promise<void> {
    if (performance.now() - this.sliceStart < this.sliceMs) return;
    await new Promise<void>(resolve => setImmediate(resolve));
    this.sliceStart = performance.now();
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
    await slices.pause();
    step = steps.next();
  }
  return step.value;
}
