/** /reports/settings: the figures' brand choices — SLA targets, the KAM gap alert, expected
 * lifespan and rate denominator (brand settings) — and the NPS survey after close (inbox
 * setting: on/off, channels). Each form saves its own section; the API validates it. */
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import '@/features/crm/crm.css';
import '../dashboard.css';
import { Alert, Button, SelectField, Spinner, TextField } from '@/components/ui';
import { api, unwrap } from '@/lib/api-client';
import { brandKey, useBrandId } from '@/lib/auth';
import { useI18n } from '@/lib/i18n';
import { problemsOf } from '@/features/crm/lib/errors';
import type { components } from '@/lib/api/schema';

type Brand = components['schemas']['BrandOut'];
type Inbox = components['schemas']['InboxSettings'];
type NpsChannel = NonNullable<components['schemas']['NpsSettings']['channels']>[number];
const CHANNELS: NpsChannel[] = ['whatsapp', 'webchat', 'email', 'instagram', 'messenger', 'telegram', 'sms'];

function BrandForm({ brand }: { brand: Brand }) {
  const { t, language } = useI18n();
  const brandId = useBrandId();
  const client = useQueryClient();
  // The API's defaults when a brand never saved them (docs/analytics.md).
  const sla = { first_response_seconds: 3600, resolution_seconds: 86400, ...brand.sla };
  const kam = { interaction_gap_alert_days: 30, expected_lifespan_years: 3, rate_denominator: 'won_deals' as const, ...brand.kam };
  const [frMinutes, setFrMinutes] = useState(String(Math.round((sla.first_response_seconds ?? 3600) / 60)));
  const [resMinutes, setResMinutes] = useState(String(Math.round((sla.resolution_seconds ?? 86400) / 60)));
  const [gapDays, setGapDays] = useState(String(kam.interaction_gap_alert_days ?? 30));
  const [years, setYears] = useState(String(kam.expected_lifespan_years ?? 3));
  const [denominator, setDenominator] = useState<'won_deals' | 'key_accounts'>(kam.rate_denominator ?? 'won_deals');
  const save = useMutation({
    mutationFn: () => unwrap(api.PATCH('/v1/admin/brand', { body: {
      sla: { first_response_seconds: Number(frMinutes) * 60, resolution_seconds: Number(resMinutes) * 60 },
      kam: { interaction_gap_alert_days: Number(gapDays), expected_lifespan_years: Number(years), rate_denominator: denominator },
    } })),
    onSuccess: (saved) => client.setQueryData(brandKey(brandId, 'analytics', 'brand-settings'), saved),
  });
  const problems = problemsOf(save.error, language);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form noValidate onSubmit={submit} aria-labelledby="targets-title" className="settings-form">
      <h2 id="targets-title">{t('reportSettings.targets')}</h2>
      <TextField label={t('reportSettings.frMinutes')} type="number" min={1} value={frMinutes} onChange={(e) => setFrMinutes(e.target.value)} error={problems.fields['sla.first_response_seconds']} />
      <TextField label={t('reportSettings.resMinutes')} type="number" min={1} value={resMinutes} onChange={(e) => setResMinutes(e.target.value)} error={problems.fields['sla.resolution_seconds']} />
      <TextField label={t('reportSettings.gapDays')} type="number" min={1} value={gapDays} onChange={(e) => setGapDays(e.target.value)} error={problems.fields['kam.interaction_gap_alert_days']} />
      <TextField label={t('reportSettings.lifespan')} type="number" min={0.1} step={0.1} value={years} onChange={(e) => setYears(e.target.value)} error={problems.fields['kam.expected_lifespan_years']} />
      <SelectField label={t('reportSettings.denominator')} value={denominator} onChange={(e) => setDenominator(e.target.value as typeof denominator)}>
        <option value="won_deals">{t('kam.denominator.won_deals')}</option>
        <option value="key_accounts">{t('kam.denominator.key_accounts')}</option>
      </SelectField>
      {problems.message ? <Alert>{problems.message}</Alert> : null}
      {save.isSuccess ? <p role="status">{t('reportSettings.saved')}</p> : null}
      <Button type="submit" variant="primary" busy={save.isPending}>{t('reportSettings.saveTargets')}</Button>
    </form>
  );
}

function NpsForm({ inbox }: { inbox: Inbox }) {
  const { t, language } = useI18n();
  const brandId = useBrandId();
  const client = useQueryClient();
  const [enabled, setEnabled] = useState(Boolean(inbox.nps?.enabled));
  const [channels, setChannels] = useState<NpsChannel[]>(inbox.nps?.channels ?? []);
  const save = useMutation({
    // The section is sent whole: its question and window as they are.
    mutationFn: () => unwrap(api.PATCH('/v1/inbox/settings', { body: { nps: {
      enabled, channels, question: inbox.nps?.question ?? '', window_hours: inbox.nps?.window_hours ?? 24,
    } } })),
    onSuccess: (saved) => client.setQueryData(brandKey(brandId, 'analytics', 'inbox-settings'), saved),
  });
  const problems = problemsOf(save.error, language);
  const toggle = (channel: NpsChannel, on: boolean) =>
    setChannels(on ? [...channels, channel] : channels.filter((c) => c !== channel));
  return (
    <form noValidate onSubmit={(e) => { e.preventDefault(); save.mutate(); }} aria-labelledby="nps-title" className="settings-form">
      <h2 id="nps-title">{t('reportSettings.nps')}</h2>
      <p className="muted">{t('reportSettings.npsHint')}</p>
      <div className="field">
        <label><input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> {t('reportSettings.npsEnabled')}</label>
      </div>
      <fieldset>
        <legend>{t('reportSettings.npsChannels')}</legend>
        {CHANNELS.map((channel) => (
          <label key={channel} className="inline-check">
            <input type="checkbox" checked={channels.includes(channel)} onChange={(e) => toggle(channel, e.target.checked)} /> {channel}
          </label>
        ))}
      </fieldset>
      {problems.message ? <Alert>{problems.message}</Alert> : null}
      {save.isSuccess ? <p role="status">{t('reportSettings.saved')}</p> : null}
      <Button type="submit" variant="primary" busy={save.isPending}>{t('reportSettings.saveNps')}</Button>
    </form>
  );
}

export function ReportSettingsRoute() {
  const { t, language } = useI18n();
  const brandId = useBrandId();
  const brand = useQuery({ queryKey: brandKey(brandId, 'analytics', 'brand-settings'), queryFn: () => unwrap(api.GET('/v1/admin/brand')), retry: false });
  const inbox = useQuery({ queryKey: brandKey(brandId, 'analytics', 'inbox-settings'), queryFn: () => unwrap(api.GET('/v1/inbox/settings')), retry: false });
  const brandProblems = problemsOf(brand.error, language);
  const inboxProblems = problemsOf(inbox.error, language);
  return (
    <section aria-labelledby="report-settings-title" className="page">
      <h1 id="report-settings-title">{t('reportSettings.title')}</h1>
      {brand.isPending || inbox.isPending ? <Spinner label={t('common.loading')} /> : null}
      {brandProblems.message ? <Alert>{brandProblems.message}</Alert> : null}
      {brand.data ? <BrandForm brand={brand.data} /> : null}
      {inboxProblems.message ? <Alert>{inboxProblems.message}</Alert> : null}
      {inbox.data ? <NpsForm inbox={inbox.data} /> : null}
    </section>
  );
}
