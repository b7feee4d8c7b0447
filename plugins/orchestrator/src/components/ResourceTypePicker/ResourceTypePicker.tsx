import {
  Checkbox,
  FormControl,
  FormControlLabel,
  FormGroup,
  FormHelperText,
  FormLabel,
  Typography,
} from '@material-ui/core';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import useAsync from 'react-use/esm/useAsync';
import { orchestratorApiRef } from '../../api';

/** `ui:options` of the field. */
export interface ResourceTypePickerUiOptions {
  /** Offer only the types provided in environments of this type. */
  envType?: string;
  /** Types not to offer (e.g. those the platform adds by itself). */
  exclude?: string[];
}

/**
 * A scaffolder form field (`ui:field: BatonResourceTypePicker`): checkboxes
 * for the resource types the platform's definitions provide, read from the
 * orchestrator, so a template offers what the platform can actually deliver.
 * Its value is the list of chosen types.
 */
export const ResourceTypePicker = (
  props: FieldExtensionComponentProps<string[], ResourceTypePickerUiOptions>,
) => {
  const { formData, onChange, schema, uiSchema, rawErrors, required, disabled } = props;
  const api = useApi(orchestratorApiRef);
  const options = uiSchema['ui:options'] ?? {};
  const envType = options.envType;
  const exclude = options.exclude ?? [];
  const { value, loading, error } = useAsync(
    () => api.listResourceTypes({ envType }),
    [api, envType],
  );
  const selected = formData ?? [];
  const offered = (value ?? []).filter(t => !exclude.includes(t.type));

  const toggle = (type: string, checked: boolean) =>
    onChange(checked ? [...selected, type] : selected.filter(t => t !== type));

  return (
    <FormControl
      component="fieldset"
      required={required}
      error={Boolean(rawErrors?.length) || Boolean(error)}
      disabled={disabled}
    >
      <FormLabel component="legend">{schema.title ?? 'Resources'}</FormLabel>
      {schema.description && <FormHelperText>{schema.description}</FormHelperText>}
      {loading && <Progress />}
      {error && (
        <FormHelperText>
          The resource types could not be read from Baton: {error.message}
        </FormHelperText>
      )}
      {!loading && !error && offered.length === 0 && (
        <FormHelperText>The platform provides no resource types here yet.</FormHelperText>
      )}
      <FormGroup>
        {offered.map(t => (
          <FormControlLabel
            key={t.type}
            control={
              <Checkbox
                checked={selected.includes(t.type)}
                onChange={e => toggle(t.type, e.target.checked)}
                name={t.type}
              />
            }
            label={
              <>
                <Typography component="span">{t.type}</Typography>
                {t.description && (
                  <Typography component="span" variant="body2" color="textSecondary">
                    {' '}
                    — {t.description}
                    {t.classes.length > 1 ? ` (classes: ${t.classes.join(', ')})` : ''}
                  </Typography>
                )}
              </>
            }
          />
        ))}
      </FormGroup>
    </FormControl>
  );
};
