import { InfoCard, Progress } from '@backstage/core-components';
import { InstalledDriver } from '@baton/backstage-plugin-orchestrator-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { allowsOtherInputs, driverInputFields } from './driverInputFields';

/**
 * What a definition's driver takes in `spec.driverInputs.values`: each field
 * with its type, whether it is required and what it is for, from the
 * driver's inputs schema.
 */
export const DriverInputsCard = (props: {
  /** The driver the definition names; undefined when its YAML names none. */
  driverId?: string;
  drivers?: InstalledDriver[];
  loading?: boolean;
  error?: Error;
}) => {
  const { driverId, drivers } = props;
  const title = driverId ? `Inputs of driver ${driverId}` : 'Driver inputs';
  if (props.loading) {
    return (
      <InfoCard title={title}>
        <Progress />
      </InfoCard>
    );
  }
  if (props.error) {
    return (
      <InfoCard title={title}>
        <Typography variant="body2">The installed drivers could not be read: {props.error.message}</Typography>
      </InfoCard>
    );
  }
  if (!driverId) {
    return (
      <InfoCard title={title}>
        <Typography variant="body2">Name a driver in spec.driver to see what it takes.</Typography>
      </InfoCard>
    );
  }
  const driver = drivers?.find(d => d.id === driverId);
  if (!driver) {
    return (
      <InfoCard title={title}>
        <Typography variant="body2" color="error">
          Driver {driverId} is not installed (installed: {(drivers ?? []).map(d => d.id).join(', ') || 'none'}).
        </Typography>
      </InfoCard>
    );
  }
  const fields = driverInputFields(driver.inputsSchema);
  const description = driver.inputsSchema?.description;
  return (
    <InfoCard title={title} subheader={driver.pure ? 'No side effects: a dry run shows its outputs' : undefined}>
      {typeof description === 'string' && <Typography variant="body2" paragraph>{description}</Typography>}
      {!driver.inputsSchema ? (
        <Typography variant="body2">This driver declares no inputs: its values are passed on as written.</Typography>
      ) : (
        fields.length > 0 && (
          <Table size="small" aria-label={`Inputs of driver ${driverId}`}>
            <TableHead>
              <TableRow>
                <TableCell>Field</TableCell>
                <TableCell>Type</TableCell>
                <TableCell>Required</TableCell>
                <TableCell>Description</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {fields.map(f => (
                <TableRow key={f.name}>
                  <TableCell>
                    <code>{f.name}</code>
                  </TableCell>
                  <TableCell>{f.type}</TableCell>
                  <TableCell>{f.required ? 'required' : 'optional'}</TableCell>
                  <TableCell>{f.description ?? ''}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )
      )}
      {driver.inputsSchema && (
        <Typography variant="body2" color="textSecondary" style={{ marginTop: 8 }}>
          {allowsOtherInputs(driver.inputsSchema) ? 'Other fields are passed on as well. ' : 'No other fields are allowed. '}
          Any value may be a placeholder such as {'${resources.<type>.outputs.<key>}'} or {'${context.app.id}'}, resolved
          at deployment; a key under driverInputs.secrets counts as given.
        </Typography>
      )}
    </InfoCard>
  );
};
