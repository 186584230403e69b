/**
 * /campaigns/:campaignId/preview — what the send will do, evaluated now: the audience after
 * suppressions and missing identities (skipped by reason), a sample render for a chosen person,
 * the SMS encoding and segments, the estimated cost, the WhatsApp capacity plan (now / later) and
 * the SMS quiet-hours advice; then send now or schedule (in the brand's time zone), confirmed.
 */
import { useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router';
import { Confirm } from '@/components/confirm';
import { Alert, Button, Spinner, TextField } from '@/components/ui';
import { problemsOf } from '@/features/crm/lib/errors';
import { localizedMessage } from '@/lib/api-client';
import { useAuth } from '@/lib/auth';
import { formatDateTime, getBrandTimeZone } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import { useCampaign, useCampaignAction, usePreview, useScheduleCampaign, type Campaign, type Preview } from '../api';
import '../campaigns.css';
import { CampaignHeader } from '../components/campaign-header';
import { PersonPicker } from '../components/person-picker';
import { reasonText } from '../lib/reasons';
import { actions } from '../lib/status';

export function PreviewRoute() {
  const { campaignId = '' } = useParams();
  const { t, language } = useI18n();
  const campaign = useCampaign(campaignId);
  if (campaign.isPending) return <main id="main" className="page"><Spinner label={t('common.loading')} /></main>;
  if (campaign.isError) return <main id="main" className="page"><Alert>{problemsOf(campaign.error, language).message}</Alert></main>;
  return <PreviewPage campaign={campaign.data} />;
}

function money(value: number, currency: string, language: string): string {
  try {
    return new Intl.NumberFormat(language === 'en' ? 'en-US' : 'es-CO', { style: 'currency', currency, maximumFractionDigits: 4 }).format(value);
  } catch {
    return `${value} ${currency}`;
  }
}

function PreviewPage({ campaign: c }: { campaign: Campaign }) {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const [person, setPerson] = useState<{ id: string; name: string } | null>(null);
  const preview = usePreview(c.id, person?.id ?? null);
  const p = preview.data;
  return (
    <main id="main" className="page">
      <CampaignHeader campaign={c} />
      <h2>{t('campaigns.preview.title')}</h2>
      {preview.isPending ? <Spinner label={t('campaigns.preview.computing')} /> : null}
      {preview.isError ? <Alert>{problemsOf(preview.error, language).message}</Alert> : null}
      {p ? (
        <>
          <dl className="summary" aria-label={t('campaigns.preview.summary')}>
            <div><dt>{t('campaigns.preview.audience')}</dt><dd>{p.audience}</dd></div>
            <div><dt>{t('campaigns.preview.recipients')}</dt><dd data-testid="preview-recipients">{p.recipients}</dd></div>
            <div><dt>{t('campaigns.preview.skipped')}</dt><dd>{Object.values(p.skipped).reduce((a, b) => a + b, 0)}</dd></div>
            {p.cost ? <div><dt>{t('campaigns.preview.cost')}</dt><dd>{money(p.cost.total, p.cost.currency, language)}</dd></div> : null}
          </dl>
          {p.cost ? <p className="small muted">{t('campaigns.preview.perMessage', { price: money(p.cost.per_message, p.cost.currency, language) })}</p> : null}
          {Object.keys(p.skipped).length ? (
            <section aria-labelledby="skipped-title">
              <h3 id="skipped-title">{t('campaigns.preview.skippedBy')}</h3>
              <ul>
                {Object.entries(p.skipped).map(([reason, n]) => <li key={reason}>{t('campaigns.preview.skippedRow', { reason: reasonText(t, reason), count: n })}</li>)}
              </ul>
            </section>
          ) : null}
          {p.sms ? (
            <section aria-labelledby="sms-title" className="card">
              <h3 id="sms-title">{t('campaigns.preview.sms')}</h3>
              <p data-testid="preview-sms">{t('campaigns.preview.smsLine', { encoding: p.sms.encoding, segments: p.sms.segments, characters: p.sms.characters, per: p.sms.per_segment })}</p>
              {p.sms.warning ? <Alert kind="info">{localizedMessage(p.sms.warning, language)}</Alert> : null}
            </section>
          ) : null}
          {p.whatsapp ? <Capacity plan={p.whatsapp} /> : null}
          {(p.advice ?? []).map((a) => <Alert key={a} kind="info">{localizedMessage(a, language)}</Alert>)}
          <Sample preview={p} channel={c.channel} person={person} onPick={setPerson} />
        </>
      ) : null}
      {can('campaigns:edit') && (actions.send(c) || actions.schedule(c)) ? <SendControls campaign={c} recipients={p?.recipients ?? null} /> : null}
    </main>
  );
}

function Capacity({ plan }: { plan: NonNullable<Preview['whatsapp']> }) {
  const { t, language } = useI18n();
  return (
    <section aria-labelledby="capacity-title" className="card">
      <h3 id="capacity-title">{t('campaigns.capacity.title')}</h3>
      <dl className="summary">
        <div><dt>{t('campaigns.capacity.limit')}</dt><dd>{plan.limit === 'unlimited' ? t('campaigns.capacity.unlimited') : plan.limit}</dd></div>
        <div><dt>{t('campaigns.capacity.now')}</dt><dd data-testid="capacity-now">{plan.now}</dd></div>
        <div><dt>{t('campaigns.capacity.later')}</dt><dd data-testid="capacity-later">{plan.later}</dd></div>
      </dl>
      <p>
        {plan.later && plan.later_at
          ? t('campaigns.capacity.laterAt', { count: plan.later, at: formatDateTime(plan.later_at, language) })
          : t('campaigns.capacity.allNow')}
      </p>
      <p className="small muted">{t('campaigns.capacity.explain')}</p>
    </section>
  );
}

function Sample({ preview, channel, person, onPick }: { preview: Preview; channel: Campaign['channel']; person: { id: string; name: string } | null; onPick: (p: { id: string; name: string } | null) => void }) {
  const { t } = useI18n();
  const sample = (preview.sample ?? {}) as Record<string, unknown>;
  const template = (sample.template ?? {}) as { name?: string; parameters?: string[] };
  return (
    <section aria-labelledby="sample-title" className="card">
      <h3 id="sample-title">{person ? t('campaigns.preview.sampleFor', { name: person.name }) : t('campaigns.preview.sample')}</h3>
      <PersonPicker label={t('campaigns.preview.samplePerson')} onPick={(p) => onPick({ id: p.id, name: p.name ?? p.id })} />
      {person ? <Button variant="ghost" onClick={() => onPick(null)}>{t('campaigns.preview.sampleReset')}</Button> : null}
      {!preview.sample ? <p className="muted">{t('campaigns.preview.noSample')}</p> : null}
      {preview.sample && channel === 'sms' ? <p className="sms-bubble" data-testid="sample-text">{String(sample.text ?? '')}</p> : null}
      {preview.sample && channel === 'email' ? (
        <>
          <p><strong>{t('campaigns.email.subject')}:</strong> {String(sample.subject ?? '')}</p>
          <iframe className="email-frame" title={t('campaigns.email.frame')} sandbox="" srcDoc={String(sample.html ?? '')} />
        </>
      ) : null}
      {preview.sample && channel === 'whatsapp' ? (
        <>
          <p>{t('campaigns.preview.template', { name: template.name ?? '' })}</p>
          <ol>{(template.parameters ?? []).map((v, i) => <li key={i}>{v}</li>)}</ol>
        </>
      ) : null}
    </section>
  );
}

function SendControls({ campaign: c, recipients }: { campaign: Campaign; recipients: number | null }) {
  const { t, language } = useI18n();
  const navigate = useNavigate();
  const action = useCampaignAction();
  const schedule = useScheduleCampaign(c.id);
  const [at, setAt] = useState('');
  const [asking, setAsking] = useState<'send' | 'schedule' | null>(null);
  const zone = getBrandTimeZone();
  const scheduleProblems = problemsOf(schedule.error, language);
  const askSchedule = (event: FormEvent) => {
    event.preventDefault();
    schedule.reset();
    setAsking('schedule');
  };
  return (
    <section aria-labelledby="send-title" className="card">
      <h2 id="send-title">{t('campaigns.send.title')}</h2>
      {action.error ? <Alert>{problemsOf(action.error, language).message}</Alert> : null}
      <div className="row">
        <Button variant="primary" onClick={() => { action.reset(); setAsking('send'); }}>{t('campaigns.action.send')}</Button>
      </div>
      <form className="row" noValidate onSubmit={askSchedule} aria-label={t('campaigns.send.scheduleLabel')}>
        <TextField label={t('campaigns.send.at', { zone })} type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)}
          error={scheduleProblems.fields.at ?? (schedule.error && !scheduleProblems.fields.at ? scheduleProblems.message : null)} />
        <Button type="submit" disabled={!at}>{t('campaigns.action.schedule')}</Button>
      </form>
      <Confirm open={asking === 'send'} title={t('campaigns.confirm.send.title', { name: c.name })} confirm={t('campaigns.action.send')}
        busy={action.isPending} error={action.error} onClose={() => setAsking(null)}
        onConfirm={() => action.mutate({ id: c.id, action: 'send' }, { onSuccess: () => navigate(`/campaigns/${c.id}/stats`) })}>
        <p>{recipients === null ? t('campaigns.confirm.send.body') : t('campaigns.confirm.send.count', { count: recipients })}</p>
      </Confirm>
      <Confirm open={asking === 'schedule'} title={t('campaigns.confirm.schedule.title', { name: c.name })} confirm={t('campaigns.action.schedule')}
        busy={schedule.isPending} onClose={() => setAsking(null)}
        onConfirm={() => schedule.mutate(at, { onSettled: () => setAsking(null) })}>
        <p>{t('campaigns.confirm.schedule.body', { at: at.replace('T', ' '), zone })}</p>
      </Confirm>
    </section>
  );
}
