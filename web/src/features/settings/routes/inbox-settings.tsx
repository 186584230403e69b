/** /settings/bots and /settings/assignment: the brand's inbox settings (PATCH sends only the section edited). */
import { useState } from 'react';
import { Alert, Button, Spinner, TextArea, TextField } from '@/components/ui';
import { api, unwrap } from '@/lib/api-client';
import type { components } from '@/lib/api/schema';
import { useAuth } from '@/lib/auth';
import { useI18n } from '@/lib/i18n';
import { problemsOf } from '@/features/crm/lib/errors';
import { useSettingsMutation, useSettingsQuery } from '../api';

type InboxSettings = components['schemas']['InboxSettings'];
type Bots = components['schemas']['BotSettings'];
type Assignment = components['schemas']['AssignmentSettings'];
type Inactivity = components['schemas']['InactivitySettings'];
const INACTIVITY: Inactivity = { enabled: false, minutes: 10, message: '', reason_id: 'no-reply' };

function useInboxSettings() {
  return useSettingsQuery('inbox', () => unwrap(api.GET('/v1/inbox/settings')));
}

function Checkbox({ label, checked, onChange }: { label: string; checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <label className="checkbox">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} /> {label}
    </label>
  );
}

export function BotsSettings() {
  const { t } = useI18n();
  const settings = useInboxSettings();
  if (settings.isPending) return <Spinner label={t('common.loading')} />;
  if (!settings.data) return <Alert>{t('app.error')}</Alert>;
  return <BotsForm initial={settings.data} />;
}

function BotsForm({ initial }: { initial: InboxSettings }) {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const [bots, setBots] = useState<Bots>(initial.bots as Bots);
  const [keywords, setKeywords] = useState((initial.bots?.handoff_keywords ?? []).join(', '));
  const save = useSettingsMutation(['inbox'], () => unwrap(api.PATCH('/v1/inbox/settings', {
    body: { bots: { ...bots, handoff_keywords: keywords.split(',').map((s) => s.trim()).filter(Boolean) } },
  })));
  const p = problemsOf(save.error, language);
  return (
    <form noValidate onSubmit={(e) => { e.preventDefault(); save.mutate(undefined); }} aria-labelledby="bots-title">
      <h2 id="bots-title">{t('settings.bots.title')}</h2>
      <p className="muted">{t('settings.bots.hoursNote')}</p>
      {p.message ? <Alert>{p.message}</Alert> : null}
      {save.isSuccess ? <Alert kind="success">{t('common.saved')}</Alert> : null}
      <fieldset disabled={!can('admin:manage') && !can('conversations:manage')}>
        <fieldset>
          <legend>{t('settings.bots.greeting')}</legend>
          <Checkbox label={t('settings.bots.enabled')} checked={bots.greeting?.enabled ?? false} onChange={(enabled) => setBots({ ...bots, greeting: { text: bots.greeting?.text ?? '', enabled } })} />
          <TextArea label={t('settings.bots.message')} value={bots.greeting?.text ?? ''} onChange={(e) => setBots({ ...bots, greeting: { enabled: bots.greeting?.enabled ?? false, text: e.target.value } })} error={p.fields['bots.greeting.text']} />
        </fieldset>
        <fieldset>
          <legend>{t('settings.bots.outOfHours')}</legend>
          <Checkbox label={t('settings.bots.enabled')} checked={bots.out_of_hours?.enabled ?? false} onChange={(enabled) => setBots({ ...bots, out_of_hours: { text: bots.out_of_hours?.text ?? '', enabled } })} />
          <TextArea label={t('settings.bots.message')} value={bots.out_of_hours?.text ?? ''} onChange={(e) => setBots({ ...bots, out_of_hours: { enabled: bots.out_of_hours?.enabled ?? false, text: e.target.value } })} error={p.fields['bots.out_of_hours.text']} />
        </fieldset>
        <fieldset>
          <legend>{t('settings.bots.handoff')}</legend>
          <TextField label={t('settings.bots.keywords')} hint={t('settings.bots.keywordsHint')} value={keywords} onChange={(e) => setKeywords(e.target.value)} error={p.fields['bots.handoff_keywords']} />
          <TextArea label={t('settings.bots.handoffReply')} value={bots.handoff_reply ?? ''} onChange={(e) => setBots({ ...bots, handoff_reply: e.target.value })} error={p.fields['bots.handoff_reply']} />
        </fieldset>
        <fieldset>
          <legend>{t('settings.bots.inactivity')}</legend>
          <Checkbox label={t('settings.bots.enabled')} checked={bots.inactivity?.enabled ?? false} onChange={(enabled) => setBots({ ...bots, inactivity: { ...INACTIVITY, ...bots.inactivity, enabled } })} />
          <TextField label={t('settings.bots.minutes')} type="number" min={1} value={String(bots.inactivity?.minutes ?? 10)}
            onChange={(e) => setBots({ ...bots, inactivity: { ...INACTIVITY, ...bots.inactivity, minutes: Number(e.target.value) } })} error={p.fields['bots.inactivity.minutes']} />
          <TextArea label={t('settings.bots.message')} value={bots.inactivity?.message ?? ''} onChange={(e) => setBots({ ...bots, inactivity: { ...INACTIVITY, ...bots.inactivity, message: e.target.value } })} error={p.fields['bots.inactivity.message']} />
        </fieldset>
        <Button type="submit" variant="primary" busy={save.isPending}>{t('common.save')}</Button>
      </fieldset>
    </form>
  );
}

export function AssignmentSettings() {
  const { t } = useI18n();
  const settings = useInboxSettings();
  if (settings.isPending) return <Spinner label={t('common.loading')} />;
  if (!settings.data) return <Alert>{t('app.error')}</Alert>;
  return <AssignmentForm initial={settings.data.assignment as Assignment} />;
}

function AssignmentForm({ initial }: { initial: Assignment }) {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const [a, setA] = useState<Assignment>(initial);
  const save = useSettingsMutation(['inbox'], () => unwrap(api.PATCH('/v1/inbox/settings', { body: { assignment: a } })));
  const p = problemsOf(save.error, language);
  return (
    <form noValidate onSubmit={(e) => { e.preventDefault(); save.mutate(undefined); }} aria-labelledby="assign-title">
      <h2 id="assign-title">{t('settings.assignment.title')}</h2>
      {p.message ? <Alert>{p.message}</Alert> : null}
      {save.isSuccess ? <Alert kind="success">{t('common.saved')}</Alert> : null}
      <fieldset disabled={!can('admin:manage') && !can('conversations:manage')}>
        <Checkbox label={t('settings.assignment.enabled')} checked={a.enabled ?? true} onChange={(enabled) => setA({ ...a, enabled })} />
        <TextField label={t('settings.assignment.capacity')} type="number" min={0} value={String(a.default_capacity ?? 10)}
          onChange={(e) => setA({ ...a, default_capacity: Number(e.target.value) })} error={p.fields['assignment.default_capacity']} />
        <Checkbox label={t('settings.assignment.preferTags')} checked={a.prefer_tags ?? true} onChange={(prefer_tags) => setA({ ...a, prefer_tags })} />
        <TextField label={t('settings.assignment.grace')} type="number" min={0} value={String(a.offline_grace_minutes ?? 5)}
          onChange={(e) => setA({ ...a, offline_grace_minutes: Number(e.target.value) })} error={p.fields['assignment.offline_grace_minutes']} />
        <Button type="submit" variant="primary" busy={save.isPending}>{t('common.save')}</Button>
      </fieldset>
    </form>
  );
}
