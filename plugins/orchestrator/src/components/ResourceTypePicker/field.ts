import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import { ResourceTypePicker } from './ResourceTypePicker';

/** The new frontend system's form field, loaded when the scaffolder opens a form. */
export const resourceTypePickerField = createFormField({
  name: 'BatonResourceTypePicker',
  component: ResourceTypePicker,
});
