/**
 * A file input in the UI's language: the browser's own control ("Choose Files / No file chosen")
 * always speaks the browser's language, so it stays in the page, visually hidden, for keyboard and
 * screen-reader users (and the browser tests' setInputFiles), and a label styled as a button opens it.
 * The input's name is the field's label; the chosen file names (or "none") describe it, unless the
 * caller lists the files itself.
 */
import { useId, useState, type InputHTMLAttributes } from 'react';
import { useI18n } from '@/lib/i18n';

export interface FileFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'type'> {
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  /** The caller lists the chosen files itself (uploaded at once, removable): no names line here. */
  listed?: boolean;
}

export function FileField({ label, hint, error, listed = false, id, className, multiple, onChange, disabled, ...props }: FileFieldProps) {
  const { t } = useI18n();
  const auto = useId();
  const inputId = id ?? auto;
  const [picked, setPicked] = useState<string[]>([]);
  const describedBy = [listed ? '' : `${inputId}-names`, hint ? `${inputId}-hint` : '', error ? `${inputId}-error` : '', props['aria-describedby'] ?? '']
    .filter(Boolean).join(' ');
  return (
    <div className={['field', 'file-field', className].filter(Boolean).join(' ')}>
      <span id={`${inputId}-label`} className="file-field-label">{label}</span>
      <div className="file-field-row">
        <input
          {...props}
          id={inputId}
          type="file"
          className="visually-hidden"
          multiple={multiple}
          disabled={disabled}
          aria-labelledby={`${inputId}-label`}
          aria-describedby={describedBy}
          aria-invalid={error ? true : undefined}
          onChange={(e) => {
            setPicked(Array.from(e.currentTarget.files ?? [], (f) => f.name));
            onChange?.(e);
          }}
        />
        {/* Clicking the label opens the picker; it is not a second name for the input (aria-labelledby wins). */}
        <label htmlFor={inputId} className={['btn', 'btn-secondary', disabled ? 'is-disabled' : ''].filter(Boolean).join(' ')} aria-hidden="true">
          {t(multiple ? 'common.file.chooseMany' : 'common.file.choose')}
        </label>
        {!listed ? (
          <span id={`${inputId}-names`} className="file-field-names small">{picked.length ? picked.join(', ') : t('common.file.none')}</span>
        ) : null}
      </div>
      {hint ? <p id={`${inputId}-hint`} className="field-hint">{hint}</p> : null}
      {error ? <p id={`${inputId}-error`} className="field-error" role="alert">{error}</p> : null}
    </div>
  );
}
