export { ResourceTypePicker, type ResourceTypePickerUiOptions } from './ResourceTypePicker';
