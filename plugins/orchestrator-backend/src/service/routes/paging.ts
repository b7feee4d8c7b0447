/** How many deployments a page holds unless the request says (`?limit=`, an action's `limit`). */
export const DEPLOYMENTS_PAGE_SIZE = 50;

/** The page size a request asks for (`?limit=`), or the list's default. */
export function pageLimit(value: unknown, fallback: number): number {
  return value ? Number(value) : fallback;
}

/** A page as the API answers it: the items, and a cursor only while more follow. */
export function pageBody<T, V>(page: { items: T[]; nextCursor?: string }, view: (item: T) => V) {
  return { items: page.items.map(view), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}
