import { createContext, useContext } from 'react';

/** Where the platform page is mounted (`/baton` in the app), so its tabs can link to each other. */
export const PlatformBaseContext = createContext('');

/** The path of a view of the platform page, e.g. `definitions/pg-dev`. */
export function usePlatformPath(): (view: string) => string {
  const base = useContext(PlatformBaseContext).replace(/\/$/, '');
  return view => `${base}/${view}`;
}
