/** The page size a request asks for (`?limit=`), or the list's default. */
export function pageLimit(value: unknown, fallback: number): number {
  return value ? Number(value) : fallback;
}

/** A page as the API answers it: the items, and a cursor only while more follow. */
export function pageBody<T, V>(page: { items: T[]; nextCursor?: string }, view: (item: T) => V) {
  return { items: page.items.map(view), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}
