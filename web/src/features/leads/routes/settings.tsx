/**
 * /leads/settings (admins) — the lists whose people form the flow, the data shown for each lead,
 * the roles whose first note reserves a lead, and the AI classification switch and provider.
 */
import { useState, type FormEvent } from 'react';
import { Alert, Button, SelectField, Spinner, TextField } from '@/components/ui';
import { useFields, useLists } from '@/features/crm/api';
import { problemsOf } from '@/features/crm/lib/errors';
import { api, localizedMessage, unwrap } from '@/lib/api-client';
import { brandKey, useBrandId } from '@/lib/auth';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { useQuery } from '@tanstack/react-query';
import { useLeadFlowSettings, useSaveLeadFlowSettings } from '../api';
import { LeadsNav } from '../components/leads-nav';
import { AI_PROVIDERS, type AiProvider, type LeadFlowSettings } from '../types';

/** Built-in extra data a lead can show; custom fields are added as `custom.<key>`. */
export const BASE_DISPLAY_FIELDS = ['tags', 'lists', 'owner', 'journey_state', 'email', 'phone'] as const;

function toggle(values: string[], value: string, on: boolean): string[] {
  return on ? [...values.filter((v) => v !== value), value] : values.filter((v) => v !== value);
}

export function LeadSettingsRoute() {
  const { t } = useI18n();
  const settings = useLeadFlowSettings();
  return (
    <main id="main" className="page">
      <LeadsNav />
      <h1>{t('leads.settings.title')}</h1>
      {settings.isPending ? <Spinner label={t('common.loading')} /> : null}
      {settings.data ? <SettingsForm initial={settings.data} /> : null}
      {settings.error ? <SettingsForm initial={{ list_ids: [], display_fields: [], reserve_roles: ['operator'], ai: { enabled: false, provider: 'local' } }} /> : null}
    </main>
  );
}

function SettingsForm({ initial }: { initial: LeadFlowSettings }) {
  const { t, language } = useI18n();
  const brandId = useBrandId();
  const [draft, setDraft] = useState<LeadFlowSettings>(initial);
  const [saved, setSaved] = useState(false);
  const [openaiKey, setOpenaiKey] = useState('');
  const save = useSaveLeadFlowSettings();
  const lists = useLists();
  const fields = useFields();
  const roles = useQuery({
    queryKey: brandKey(brandId, 'settings', 'roles'),
    queryFn: () => unwrap(api.GET('/v1/admin/roles')),
    select: (page) => page.items,
  });
  const problems = problemsOf(save.error, language);
  const displayOptions: { value: string; label: string }[] = [
    ...BASE_DISPLAY_FIELDS.map((f) => ({ value: f, label: t(`leads.field.${f}` as MessageKey) })),
    ...(fields.data ?? []).map((f) => ({ value: `custom.${f.key}`, label: f.label ?? f.key })),
  ];
  // A saved field the brand no longer has stays visible, so it can be unticked.
  for (const value of draft.display_fields) {
    if (!displayOptions.some((o) => o.value === value)) displayOptions.push({ value, label: value });
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const ai = {
      enabled: draft.ai.enabled,
      provider: draft.ai.provider,
      ...(draft.ai.model_id?.trim() ? { model_id: draft.ai.model_id.trim() } : {}),
      // Write-only: sent only when typed; the stored key stays otherwise.
      ...(openaiKey.trim() ? { openai_api_key: openaiKey.trim() } : {}),
    };
    try {
      const out = await save.mutateAsync({ list_ids: draft.list_ids, display_fields: draft.display_fields, reserve_roles: draft.reserve_roles, ai });
      setDraft(out);
      setOpenaiKey('');
      setSaved(true);
    } catch {
      /* kept, shown */
    }
  };

  return (
    <form noValidate onSubmit={submit}>
      {problems.message ? <Alert>{problems.message}</Alert> : null}
      {saved ? <Alert kind="success">{t('leads.settings.saved')}</Alert> : null}
      <fieldset className="card">
        <legend>{t('leads.settings.lists')}</legend>
        <p className="field-hint">{t('leads.settings.listsHint')}</p>
        {lists.data && lists.data.length === 0 ? <p className="muted">{t('leads.settings.noLists')}</p> : null}
        {(lists.data ?? []).map((list) => (
          <label key={list.id} className="checkbox">
            <input type="checkbox" checked={draft.list_ids.includes(list.id)}
              onChange={(e) => setDraft({ ...draft, list_ids: toggle(draft.list_ids, list.id, e.target.checked) })} />
            {list.name}
          </label>
        ))}
        {problems.fields.list_ids ? <p className="field-error" role="alert">{problems.fields.list_ids}</p> : null}
      </fieldset>
      <fieldset className="card">
        <legend>{t('leads.settings.display')}</legend>
        {displayOptions.map((option) => (
          <label key={option.value} className="checkbox">
            <input type="checkbox" checked={draft.display_fields.includes(option.value)}
              onChange={(e) => setDraft({ ...draft, display_fields: toggle(draft.display_fields, option.value, e.target.checked) })} />
            {option.label}
          </label>
        ))}
        {problems.fields.display_fields ? <p className="field-error" role="alert">{problems.fields.display_fields}</p> : null}
      </fieldset>
      <fieldset className="card">
        <legend>{t('leads.settings.reserve')}</legend>
        {(roles.data ?? []).map((role) => (
          <label key={role.key} className="checkbox">
            <input type="checkbox" checked={draft.reserve_roles.includes(role.key)}
              onChange={(e) => setDraft({ ...draft, reserve_roles: toggle(draft.reserve_roles, role.key, e.target.checked) })} />
            {localizedMessage(role.name, language)}
          </label>
        ))}
        {problems.fields.reserve_roles ? <p className="field-error" role="alert">{problems.fields.reserve_roles}</p> : null}
      </fieldset>
      <fieldset className="card">
        <legend>{t('leads.settings.ai')}</legend>
        <label className="checkbox">
          <input type="checkbox" checked={draft.ai.enabled} onChange={(e) => setDraft({ ...draft, ai: { ...draft.ai, enabled: e.target.checked } })} />
          {t('leads.settings.aiEnabled')}
        </label>
        <SelectField label={t('leads.settings.provider')} value={draft.ai.provider}
          onChange={(e) => setDraft({ ...draft, ai: { ...draft.ai, provider: e.target.value as AiProvider } })}
          error={problems.fields['ai.provider']}>
          {AI_PROVIDERS.map((p) => <option key={p} value={p}>{t(`leads.settings.provider.${p}` as MessageKey)}</option>)}
        </SelectField>
        <TextField label={t('leads.settings.model')} value={draft.ai.model_id ?? ''}
          onChange={(e) => setDraft({ ...draft, ai: { ...draft.ai, model_id: e.target.value } })} error={problems.fields['ai.model_id']} />
        {draft.ai.provider === 'openai' ? (
          <TextField label={t('leads.settings.openaiKey')} type="password" autoComplete="off" value={openaiKey}
            onChange={(e) => setOpenaiKey(e.target.value)} error={problems.fields['ai.openai_api_key']}
            hint={draft.ai.openai_key_set ? t('leads.settings.openaiKeySet') : t('leads.settings.openaiHint')} />
        ) : null}
      </fieldset>
      <Button type="submit" variant="primary" busy={save.isPending}>{t('common.save')}</Button>
    </form>
  );
}
