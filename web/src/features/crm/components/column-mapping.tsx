/**
 * Import column mapping: one row per column of the file, a select of targets with the server's
 * suggestion preselected (marked "suggested"), problems shown next to the column they concern.
 */
import { useI18n, type MessageKey } from '@/lib/i18n';
import { assign, customKeyFor, problems as findProblems, STANDARD_TARGETS, type Mapping } from '../lib/mapping';

export interface MappingField {
  key: string;
  label: string;
}

export function ColumnMapping({
  headers,
  mapping,
  suggested,
  customFields,
  onChange,
  errors = {},
}: {
  headers: readonly string[];
  mapping: Mapping;
  suggested: Mapping | null | undefined;
  customFields: readonly MappingField[];
  onChange: (next: Mapping) => void;
  /** Server messages by header (and `mapping` for the whole mapping). */
  errors?: Record<string, string>;
}) {
  const { t } = useI18n();
  const local = findProblems(mapping);
  const general = local.filter((p) => p.header === null).map((p) => t(`crm.import.problem.${p.code}` as MessageKey));
  if (errors.mapping) general.push(errors.mapping);
  const known = new Set<string>([...STANDARD_TARGETS, ...customFields.map((f) => `custom:${f.key}`)]);
  return (
    <div className="column-mapping">
      <table className="table">
        <caption>{t('crm.import.mappingCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('crm.import.column')}</th>
            <th scope="col">{t('crm.import.target')}</th>
          </tr>
        </thead>
        <tbody>
          {headers.map((header) => {
            const target = mapping[header] ?? null;
            const newKey = `custom:${customKeyFor(header)}`;
            const isSuggested = Boolean(target) && suggested?.[header] === target;
            const error = errors[header];
            const selectId = `map-${header}`;
            return (
              <tr key={header}>
                <th scope="row">
                  <label htmlFor={selectId}>{header}</label>
                </th>
                <td>
                  <select id={selectId} value={target ?? ''} aria-invalid={error ? true : undefined}
                    aria-describedby={error ? `${selectId}-error` : undefined}
                    onChange={(e) => onChange(assign(mapping, header, e.target.value || null))}>
                    <option value="">{t('crm.import.skip')}</option>
                    <optgroup label={t('crm.import.standard')}>
                      {STANDARD_TARGETS.map((s) => (
                        <option key={s} value={s}>{t(`crm.import.targets.${s}` as MessageKey)}</option>
                      ))}
                    </optgroup>
                    {customFields.length ? (
                      <optgroup label={t('crm.import.custom')}>
                        {customFields.map((f) => (
                          <option key={f.key} value={`custom:${f.key}`}>{f.label}</option>
                        ))}
                      </optgroup>
                    ) : null}
                    {!known.has(newKey) ? (
                      <option value={newKey}>{t('crm.import.newField', { name: header })}</option>
                    ) : null}
                    {target && !known.has(target) && target !== newKey ? <option value={target}>{target}</option> : null}
                  </select>
                  {isSuggested ? <span className="badge">{t('crm.import.suggested')}</span> : null}
                  {error ? <p id={`${selectId}-error`} className="field-error" role="alert">{error}</p> : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {general.length ? (
        <ul className="field-error" role="alert">
          {general.map((m) => <li key={m}>{m}</li>)}
        </ul>
      ) : null}
    </div>
  );
}

export function mappingIsValid(mapping: Mapping): boolean {
  return findProblems(mapping).length === 0;
}
