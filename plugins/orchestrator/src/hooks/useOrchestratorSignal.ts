import { useEffect, useRef, useState } from 'react';
import { useSignal } from '@backstage/plugin-signals-react';
import {
  ORCHESTRATOR_SIGNAL_PLATFORM_CHANNEL,
  OrchestratorSignal,
  orchestratorSignalChannel,
} from '@baton/backstage-plugin-orchestrator-common';

/** Signals arriving within this many milliseconds cause one read: a big deployment signals a burst. */
export const SIGNAL_SETTLE_MS = 250;

/**
 * Counts the orchestrator's signals that concern a view: those of `app`
 * (every app's without one) that `matches` accepts. A view adds `version` to
 * what its data depends on, and reads again when it changes. `live` says
 * whether signals reach the page at all (the app has the signals plugin);
 * without them a view keeps polling what may still change.
 */
export function useOrchestratorSignal(
  app: string | undefined,
  matches: (signal: OrchestratorSignal) => boolean = () => true,
): { version: number; live: boolean } {
  const { lastSignal, isSignalsAvailable } = useSignal<OrchestratorSignal>(
    app === undefined ? ORCHESTRATOR_SIGNAL_PLATFORM_CHANNEL : orchestratorSignalChannel(app),
  );
  const [version, setVersion] = useState(0);
  // The view's predicate is a new function each render; the latest one decides.
  const matchesRef = useRef(matches);
  matchesRef.current = matches;
  const pending = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => {
    if (!lastSignal || !matchesRef.current(lastSignal) || pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = undefined;
      setVersion(v => v + 1);
    }, SIGNAL_SETTLE_MS);
  }, [lastSignal]);
  useEffect(() => () => clearTimeout(pending.current), []);
  return { version, live: isSignalsAvailable };
}
