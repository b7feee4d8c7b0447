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
