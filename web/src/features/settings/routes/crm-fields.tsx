/**
 * /settings/crm-fields: the brand's custom fields for people (type, options, required, scope).
 * Person-scoped fields show in the person panel as editable fields; deleting one drops its values.
 */
import { useState, type FormEvent } from 'react';
import { Alert, Button, Dialog, SelectField, Spinner, TextArea, TextField } from '@/components/ui';
import { useAuth } from '@/lib/auth';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { problemsOf } from '@/features/crm/lib/errors';
import { ConfirmDelete } from './crm-common';
import { FIELD_TYPES, useFieldDefs, useFieldMutations, type FieldBody, type FieldDef, type FieldType } from '../crm-api';

const typeLabel = (type: string) => `settings.crmFields.types.${type}` as MessageKey;
const WITH_OPTIONS = new Set<string>(['dropdown', 'multi_select']);

interface Draft {
  key: string;
  label: string;
  type: FieldType;
  scope: 'person' | 'application';
  required: boolean;
  options: string;
  order: number;
}

const EMPTY: Draft = { key: '', label: '', type: 'short_text', scope: 'person', required: false, options: '', order: 0 };

function draftOf(def: FieldDef): Draft {
  return {
    key: def.key,
    label: def.label,
    type: (FIELD_TYPES as string[]).includes(def.type) ? (def.type as FieldType) : 'short_text',
    scope: def.scope === 'application' ? 'application' : 'person',
    required: def.required,
    options: def.options.join('\n'),
    order: def.order,
  };
}

function bodyOf(draft: Draft, withKey: boolean): FieldBody {
  return {
    ...(withKey && draft.key.trim() ? { key: draft.key.trim() } : {}),
    label: draft.label.trim(),
    type: draft.type,
    scope: draft.scope,
    required: draft.required,
    order: draft.order,
    options: WITH_OPTIONS.has(draft.type) ? draft.options.split('\n').map((o) => o.trim()).filter(Boolean) : [],
  };
}

export function CrmFieldsSettings() {
  const { t, language } = useI18n();
  const manage = useAuth().can('contacts:manage');
  const fields = useFieldDefs();
  const { create, replace, remove } = useFieldMutations();
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [editing, setEditing] = useState<FieldDef | null>(null);
  const [deleting, setDeleting] = useState<FieldDef | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const order = Math.min(10_000, (fields.data ?? []).reduce((max, f) => Math.max(max, f.order + 1), 0));
    create.mutate(bodyOf({ ...draft, order }, true), { onSuccess: () => setDraft(EMPTY) });
  };
  return (
    <section aria-labelledby="crm-fields-title">
      <h2 id="crm-fields-title">{t('settings.crmFields.title')}</h2>
      <p className="muted">{t('settings.crmFields.explain')}</p>
      {fields.isPending ? <Spinner label={t('common.loading')} /> : null}
      {fields.isError ? <Alert>{problemsOf(fields.error, language).message}</Alert> : null}
      <table className="table">
        <caption className="visually-hidden">{t('settings.crmFields.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('settings.crmFields.label')}</th>
            <th scope="col">{t('settings.crmFields.key')}</th>
            <th scope="col">{t('settings.crmFields.type')}</th>
            <th scope="col">{t('settings.crmFields.scope')}</th>
            <th scope="col">{t('settings.crmFields.required')}</th>
            <th scope="col">{t('settings.crmFields.options')}</th>
            {manage ? <th scope="col">{t('settings.actions')}</th> : null}
          </tr>
        </thead>
        <tbody>
          {(fields.data ?? []).map((f) => (
            <tr key={f.key}>
              <td>{f.label}</td>
              <td><code>{f.key}</code></td>
              <td>{t(typeLabel(f.type))}</td>
              <td>{t(f.scope === 'application' ? 'settings.crmFields.scopeApplication' : 'settings.crmFields.scopePerson')}</td>
              <td>{f.required ? t('crm.yes') : t('crm.no')}</td>
              <td className="small">{f.options.join(', ')}</td>
              {manage ? (
                <td>
                  <Button variant="ghost" onClick={() => { replace.reset(); setEditing(f); }} aria-label={t('settings.crm.editNamed', { name: f.label })}>
                    {t('crm.edit')}
                  </Button>
                  <Button variant="ghost" onClick={() => { remove.reset(); setDeleting(f); }} aria-label={t('settings.deleteNamed', { name: f.label })}>
                    {t('settings.delete')}
                  </Button>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {fields.data?.length === 0 ? <p className="muted">{t('settings.crmFields.empty')}</p> : null}
      {manage ? (
        <form noValidate className="card" aria-label={t('settings.crmFields.new')} onSubmit={submit}>
          <h3>{t('settings.crmFields.new')}</h3>
          <FieldInputs draft={draft} setDraft={setDraft} error={create.error} withKey />
          <Button type="submit" variant="primary" busy={create.isPending}>{t('settings.create')}</Button>
        </form>
      ) : null}
      <Dialog open={editing !== null} onClose={() => setEditing(null)} title={t('settings.crm.editNamed', { name: editing?.label ?? '' })}>
        {editing ? (
          <EditField def={editing} error={replace.error} busy={replace.isPending} onCancel={() => setEditing(null)}
            onSave={(body) => replace.mutate({ key: editing.key, body }, { onSuccess: () => setEditing(null) })} />
        ) : null}
      </Dialog>
      <ConfirmDelete name={deleting?.label ?? null} explain={t('settings.crmFields.deleteExplain', { name: deleting?.label ?? '' })}
        error={remove.error} busy={remove.isPending} onClose={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate(deleting.key, { onSuccess: () => setDeleting(null) })} />
    </section>
  );
}

function EditField({ def, error, busy, onSave, onCancel }: {
  def: FieldDef; error: unknown; busy: boolean; onSave: (body: FieldBody) => void; onCancel: () => void;
}) {
  const { t } = useI18n();
  const [draft, setDraft] = useState<Draft>(() => draftOf(def));
  return (
    <form noValidate onSubmit={(e) => { e.preventDefault(); onSave(bodyOf(draft, false)); }}>
      <FieldInputs draft={draft} setDraft={setDraft} error={error} withKey={false} />
      <div className="row">
        <Button type="submit" variant="primary" busy={busy}>{t('common.save')}</Button>
        <Button onClick={onCancel}>{t('common.cancel')}</Button>
      </div>
    </form>
  );
}

function FieldInputs({ draft, setDraft, error, withKey }: { draft: Draft; setDraft: (d: Draft) => void; error: unknown; withKey: boolean }) {
  const { t, language } = useI18n();
  const problems = problemsOf(error, language);
  const named = Object.keys(problems.fields).length > 0;
  return (
    <>
      {problems.message && !named ? <Alert>{problems.message}</Alert> : null}
      <TextField label={t('settings.crmFields.label')} required value={draft.label} onChange={(e) => setDraft({ ...draft, label: e.target.value })} error={problems.fields.label} />
      {withKey ? (
        <TextField label={t('settings.crmFields.key')} hint={t('settings.crmFields.keyHint')} value={draft.key}
          onChange={(e) => setDraft({ ...draft, key: e.target.value })} error={problems.fields.key} />
      ) : null}
      <SelectField label={t('settings.crmFields.type')} value={draft.type} disabled={!withKey} hint={withKey ? undefined : t('settings.crmFields.typeFixed')} onChange={(e) => setDraft({ ...draft, type: e.target.value as FieldType })} error={problems.fields.type}>
        {FIELD_TYPES.map((type) => <option key={type} value={type}>{t(typeLabel(type))}</option>)}
      </SelectField>
      <SelectField label={t('settings.crmFields.scope')} value={draft.scope} onChange={(e) => setDraft({ ...draft, scope: e.target.value as Draft['scope'] })} error={problems.fields.scope}>
        <option value="person">{t('settings.crmFields.scopePerson')}</option>
        <option value="application">{t('settings.crmFields.scopeApplication')}</option>
      </SelectField>
      {WITH_OPTIONS.has(draft.type) ? (
        <TextArea label={t('settings.crmFields.options')} hint={t('settings.crmFields.optionsHint')} rows={4} value={draft.options}
          onChange={(e) => setDraft({ ...draft, options: e.target.value })} error={problems.fields.options ?? problems.fields['options.0']} />
      ) : null}
      {!withKey ? (
        <TextField label={t('settings.crmFields.order')} hint={t('settings.crmFields.orderHint')} type="number" min={0} max={10000} value={String(draft.order)}
          onChange={(e) => setDraft({ ...draft, order: Number(e.target.value) })} error={problems.fields.order} />
      ) : null}
      <label className="check">
        <input type="checkbox" checked={draft.required} onChange={(e) => setDraft({ ...draft, required: e.target.checked })} />{' '}
        {t('settings.crmFields.requiredLong')}
      </label>
    </>
  );
}
