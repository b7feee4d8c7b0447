/**
 * Resolves with the first truthy value `what` returns, asking every 100 ms.
 * No deadline of its own: the test's timeout says how long is too long, so a
 * busy machine only makes it slower.
 */
export async function until<T>(what: () => Promise<T | undefined | false>): Promise<T> {
  for (;;) {
    const value = await what();
    if (value) return value;
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}
