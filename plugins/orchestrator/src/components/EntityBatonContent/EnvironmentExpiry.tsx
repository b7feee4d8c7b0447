import { useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { Environment } from '@baton/backstage-plugin-orchestrator-common';
import { Button, Chip, Tooltip } from '@material-ui/core';
import { orchestratorApiRef } from '../../api';

/** `in 2 days`, `in 45 minutes`, `now`: how long until `iso`. */
export function timeUntil(iso: string, now = Date.now()): string {
  const minutes = Math.round((Date.parse(iso) - now) / 60_000);
  if (minutes <= 0) return 'now';
  if (minutes < 90) return `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `in ${hours} hours`;
  return `in ${Math.round(hours / 24)} days`;
}

/**
 * An environment's expiry (when it is torn down) and, for a user who may
 * manage it, "Extend": its time to live starts again from now.
 */
export const EnvironmentExpiry = (props: { app: string; environment: Environment; canManage: boolean }) => {
  const api = useApi(orchestratorApiRef);
  const [environment, setEnvironment] = useState(props.environment);
  const [extending, setExtending] = useState(false);
  const [failure, setFailure] = useState<string>();
  const { ttl, expiresAt, teardown } = environment;
  if (teardown) {
    return <Chip size="small" label={`being torn down (${teardown})`} style={{ backgroundColor: '#c62828', color: '#fff' }} />;
  }
  if (!ttl || !expiresAt) return null;
  const extend = async () => {
    setExtending(true);
    setFailure(undefined);
    try {
      setEnvironment(await api.setEnvironmentTtl(props.app, environment.id, { type: environment.type, ttl }));
    } catch (error) {
      setFailure((error as Error).message);
    } finally {
      setExtending(false);
    }
  };
  return (
    <>
      <Tooltip title={`Time to live ${ttl}: torn down at ${new Date(expiresAt).toLocaleString()}`}>
        <Chip size="small" label={`expires ${timeUntil(expiresAt)}`} style={{ backgroundColor: '#6a1b9a', color: '#fff' }} />
      </Tooltip>
      {props.canManage && (
        <Button size="small" variant="outlined" disabled={extending} onClick={extend} aria-label={`Extend ${environment.id} by ${ttl}`}>
          Extend by {ttl}
        </Button>
      )}
      {failure && <Chip size="small" color="secondary" label={failure} />}
    </>
  );
};
