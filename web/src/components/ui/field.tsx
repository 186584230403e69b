import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';

interface FieldProps {
  label: ReactNode;
  /** The API's (or the form's) message, shown next to the field and tied to it for screen readers. */
  error?: string | null | undefined;
  hint?: ReactNode;
}

function describedBy(hintId: string, errorId: string, hint: unknown, error: unknown): string | undefined {
  return [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
}

export function TextField({ label, error, hint, id, className, ...props }: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  const auto = useId();
  const inputId = id ?? auto;
  return (
    <div className={['field', className].filter(Boolean).join(' ')}>
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(`${inputId}-hint`, `${inputId}-error`, hint, error)}
        {...props}
      />
      {hint ? <p id={`${inputId}-hint`} className="field-hint">{hint}</p> : null}
      {error ? <p id={`${inputId}-error`} className="field-error" role="alert">{error}</p> : null}
    </div>
  );
}

export function TextArea({ label, error, hint, id, className, ...props }: FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const auto = useId();
  const inputId = id ?? auto;
  return (
    <div className={['field', className].filter(Boolean).join(' ')}>
      <label htmlFor={inputId}>{label}</label>
      <textarea
        id={inputId}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(`${inputId}-hint`, `${inputId}-error`, hint, error)}
        {...props}
      />
      {hint ? <p id={`${inputId}-hint`} className="field-hint">{hint}</p> : null}
      {error ? <p id={`${inputId}-error`} className="field-error" role="alert">{error}</p> : null}
    </div>
  );
}

export function SelectField({ label, error, hint, id, className, children, ...props }: FieldProps & SelectHTMLAttributes<HTMLSelectElement>) {
  const auto = useId();
  const inputId = id ?? auto;
  return (
    <div className={['field', className].filter(Boolean).join(' ')}>
      <label htmlFor={inputId}>{label}</label>
      <select
        id={inputId}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(`${inputId}-hint`, `${inputId}-error`, hint, error)}
        {...props}
      >
        {children}
      </select>
      {hint ? <p id={`${inputId}-hint`} className="field-hint">{hint}</p> : null}
      {error ? <p id={`${inputId}-error`} className="field-error" role="alert">{error}</p> : null}
    </div>
  );
}
