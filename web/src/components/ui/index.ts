export { Alert, Spinner } from './alert';
export { Button } from './button';
export { Dialog } from './dialog';
export { SelectField, TextArea, TextField } from './field';
export { FileField } from './file-field';
