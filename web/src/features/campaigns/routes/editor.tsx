/**
 * /campaigns/new and /campaigns/:campaignId — the editor: name, channel, sending account,
 * audience (a CRM list, a segment, chosen people or a completed CRM import's file), the content of the channel (SMS text with
 * the live GSM-7/UCS-2 segment counter; e-mail template, subject, sender name, reply-to, HTML with a
 * sandboxed live preview and attachments; a WhatsApp approved template with its parameters mapped to fields) and
 * merge fields. A campaign past `scheduled` shows its content read-only.
 */
import { useId, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { Alert, Button, SelectField, Spinner, TextArea, TextField } from '@/components/ui';
import { useLists, usePerson, useSegments } from '@/features/crm/api';
import { problemsOf } from '@/features/crm/lib/errors';
import { useAuth } from '@/lib/auth';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { useCampaign, useEmailTemplates, useFileAudiences, useSaveCampaign, useSenders, useSenderTemplates, type Campaign, type CampaignBody } from '../api';
import '../campaigns.css';
import { AttachmentsField } from '../components/attachments-field';
import { CampaignHeader } from '../components/campaign-header';
import { MergeInsert, useMergeOptions } from '../components/merge-insert';
import { PersonPicker } from '../components/person-picker';
import { SmsCounter } from '../components/sms-counter';
import { EMPTY_DRAFT, fitParameters, fromCampaign, toBody, type AudienceKind, type Channel, type Draft } from '../lib/draft';
import { insertAt, mergeToken, renderSample, templateSlots, unknownFields } from '../lib/merge';
import { actions } from '../lib/status';

export function NewCampaignRoute() {
  return <Editor campaign={null} />;
}

export function EditCampaignRoute() {
  const { campaignId = '' } = useParams();
  const { t, language } = useI18n();
  const campaign = useCampaign(campaignId);
  if (campaign.isPending) return <main id="main" className="page"><Spinner label={t('common.loading')} /></main>;
  if (campaign.isError) return <main id="main" className="page"><Alert>{problemsOf(campaign.error, language).message}</Alert></main>;
  return <Editor key={campaign.data.id} campaign={campaign.data} />;
}

/** Where merge fields go: the text box last focused, so "Insertar" puts the field at its caret. */
interface Target {
  field: 'smsText' | 'emailSubject' | 'emailHtml' | number;
  element: HTMLInputElement | HTMLTextAreaElement;
  label: string;
}

// The sample's own characters stay inside GSM-7, so they never turn the SMS counter to UCS-2.
const SAMPLE = { first_name: 'Camilo', last_name: 'Pérez', name: 'Camilo Pérez', email: 'camilo.perez@example.com', phone: '+573001234567' };

function Editor({ campaign }: { campaign: Campaign | null }) {
  const { t, language } = useI18n();
  const { me, can } = useAuth();
  const navigate = useNavigate();
  const [draft, setDraft] = useState<Draft>(() => (campaign ? fromCampaign(campaign) : EMPTY_DRAFT));
  const location = useLocation();
  // A new campaign's first save moves to its own address: the confirmation travels with it.
  const [saved, setSaved] = useState(() => Boolean((location.state as { saved?: boolean } | null)?.saved));
  const save = useSaveCampaign(campaign?.id ?? null);
  const [target, setTarget] = useState<Target | null>(null);
  const readOnly = Boolean(campaign && (!actions.edit(campaign) || !can('campaigns:edit')));
  const problems = problemsOf(save.error, language);
  const set = (patch: Partial<Draft>) => {
    setSaved(false);
    setDraft((d) => ({ ...d, ...patch }));
  };
  const focus = (field: Target['field'], label: string) => (e: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) => {
    const element = e.currentTarget;
    setTarget((old) => (old?.element === element ? old : { field, element, label }));
  };
  const insert = (token: string) => {
    const at = target;
    if (!at) return;
    const current = typeof at.field === 'number' ? draft.templateParameters[at.field] ?? '' : draft[at.field];
    const next = insertAt(current, token, at.element.selectionStart, at.element.selectionEnd);
    if (typeof at.field === 'number') {
      const parameters = [...draft.templateParameters];
      parameters[at.field] = next.text;
      set({ templateParameters: parameters });
    } else set({ [at.field]: next.text } as Partial<Draft>);
    // Back to the box, caret after the field, once React has written the new value.
    requestAnimationFrame(() => {
      at.element.focus();
      at.element.setSelectionRange(next.caret, next.caret);
    });
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (readOnly) return;
    save.mutate(toBody(draft) as unknown as CampaignBody, {
      onSuccess: (out) => {
        setSaved(true);
        if (!campaign) navigate(`/campaigns/${out.id}`, { replace: true, state: { saved: true } });
      },
    });
  };
  const contentTexts = draft.channel === 'sms' ? [draft.smsText] : draft.channel === 'email' ? [draft.emailSubject, draft.emailHtml] : draft.templateParameters;
  const unknown = [...new Set(contentTexts.flatMap(unknownFields))];
  const brand = { name: me?.brand.name ?? '' };

  return (
    <main id="main" className="page">
      {campaign ? <CampaignHeader campaign={campaign} /> : <h1>{t('campaigns.new')}</h1>}
      {!campaign ? <p className="small"><Link to="/campaigns">{t('campaigns.back')}</Link></p> : null}
      {readOnly ? <Alert kind="info">{t('campaigns.readOnly')}</Alert> : null}
      <div className="campaign-editor">
        <form noValidate onSubmit={submit} aria-label={t('campaigns.editor.label')}>
          <fieldset disabled={readOnly}>
            <legend>{t('campaigns.editor.basics')}</legend>
            <TextField label={t('campaigns.name')} value={draft.name} required maxLength={120}
              onChange={(e) => set({ name: e.target.value })} error={problems.fields.name} />
            <SelectField label={t('campaigns.channelLabel')} value={draft.channel} disabled={Boolean(campaign)}
              hint={campaign ? t('campaigns.editor.channelFixed') : undefined}
              onChange={(e) => set({ channel: e.target.value as Channel, accountId: '' })} error={problems.fields.channel}>
              {(['sms', 'whatsapp', 'email'] as const).map((c) => <option key={c} value={c}>{t(`campaigns.channel.${c}` as MessageKey)}</option>)}
            </SelectField>
            <AccountField channel={draft.channel} value={draft.accountId} onChange={(accountId) => set({ accountId })} error={problems.fields.account_id} />
          </fieldset>
          <AudienceFields draft={draft} set={set} error={problems.fields['audience.id'] ?? problems.fields.audience ?? problems.fields['audience.person_ids'] ?? problems.fields['audience.import_id']} readOnly={readOnly} />
          <fieldset disabled={readOnly}>
            <legend>{t('campaigns.editor.content')}</legend>
            {!readOnly ? <MergeInsert onInsert={insert} target={target?.label ?? null} /> : null}
            {draft.channel === 'sms' ? (
              <>
                <TextArea label={t('campaigns.sms.text')} value={draft.smsText} rows={5} maxLength={1600}
                  onChange={(e) => set({ smsText: e.target.value })} onFocus={focus('smsText', t('campaigns.sms.text'))}
                  error={problems.fields['content.text'] ?? problems.fields.content} />
                <SmsCounter text={renderSample(draft.smsText, SAMPLE, brand)} />
              </>
            ) : null}
            {draft.channel === 'email' ? (
              <>
                <EmailTemplatePicker value={draft.emailTemplateId}
                  onPick={(picked) => set(picked
                    // A template has no sender name: the brand's fills an empty one.
                    ? { emailTemplateId: picked.id, emailSubject: picked.subject ?? '', emailHtml: picked.html ?? '', emailFromName: draft.emailFromName || brand.name }
                    : { emailTemplateId: '' })}
                  error={problems.fields['content.template_id']} />
                <TextField label={t('campaigns.email.subject')} value={draft.emailSubject} maxLength={200}
                  onChange={(e) => set({ emailSubject: e.target.value })} onFocus={focus('emailSubject', t('campaigns.email.subject'))}
                  error={problems.fields['content.subject']} />
                <TextField label={t('campaigns.email.fromName')} value={draft.emailFromName} maxLength={120}
                  onChange={(e) => set({ emailFromName: e.target.value })} error={problems.fields['content.from_name']} />
                <TextField label={t('campaigns.email.replyTo')} type="email" value={draft.emailReplyTo}
                  onChange={(e) => set({ emailReplyTo: e.target.value })} error={problems.fields['content.reply_to']} />
                <TextArea label={t('campaigns.email.html')} value={draft.emailHtml} rows={12} className="code"
                  hint={t('campaigns.email.htmlHint')}
                  onChange={(e) => set({ emailHtml: e.target.value })} onFocus={focus('emailHtml', t('campaigns.email.html'))}
                  error={problems.fields['content.html'] ?? problems.fields.content} />
                <AttachmentsField value={draft.attachments} onChange={(attachments) => set({ attachments })} disabled={readOnly}
                  error={problems.fields['content.attachments'] ?? Object.entries(problems.fields).find(([k]) => k.startsWith('content.attachments.'))?.[1]} />
              </>
            ) : null}
            {draft.channel === 'whatsapp' ? (
              <TemplateFields draft={draft} set={set} focus={focus} problems={problems.fields} />
            ) : null}
            {draft.channel !== 'email' ? (
              <div className="field">
                <label>
                  <input type="checkbox" checked={draft.nps} aria-describedby="campaign-nps-hint"
                    onChange={(e) => set({ nps: e.target.checked })} />{' '}
                  {t('campaigns.nps')}
                </label>
                <p id="campaign-nps-hint" className="field-hint">{t('campaigns.npsHint')}</p>
                {problems.fields['content.nps'] ? <p className="field-error" role="alert">{problems.fields['content.nps']}</p> : null}
              </div>
            ) : null}
            {unknown.length ? <Alert>{t('campaigns.merge.unknown', { fields: unknown.join(', ') })}</Alert> : null}
          </fieldset>
          {problems.message ? <Alert>{problems.message}</Alert> : null}
          {saved && !save.isPending ? <Alert kind="success">{t('campaigns.editor.saved')}</Alert> : null}
          {!readOnly ? (
            <div className="row">
              <Button type="submit" variant="primary" busy={save.isPending}>{t('campaigns.editor.save')}</Button>
              {campaign ? <Link to={`/campaigns/${campaign.id}/preview`}>{t('campaigns.editor.toPreview')}</Link> : null}
            </div>
          ) : null}
        </form>
        <LivePreview draft={draft} brand={brand} />
      </div>
    </main>
  );
}

function AccountField({ channel, value, onChange, error }: { channel: Channel; value: string; onChange: (id: string) => void; error?: string | undefined }) {
  const { t } = useI18n();
  const senders = useSenders(channel);
  return (
    <SelectField label={t('campaigns.account')} value={value} onChange={(e) => onChange(e.target.value)} error={error}>
      <option value="">{channel === 'sms' ? t('campaigns.accountDefault') : t('campaigns.audience.choose')}</option>
      {(senders.data ?? []).map((a) => (
        <option key={a.id} value={a.id}>{a.address ? `${a.name} (${a.address})` : a.name}</option>
      ))}
    </SelectField>
  );
}

type PickedTemplate = { id: string; subject?: string | null; html?: string | null };

function EmailTemplatePicker({ value, onPick, error }: { value: string; onPick: (picked: PickedTemplate | null) => void; error?: string | undefined }) {
  const { t } = useI18n();
  const templates = useEmailTemplates(true);
  const items = templates.data ?? [];
  if (!items.length && !value) return null;
  return (
    <SelectField label={t('campaigns.email.template')} value={value} hint={t('campaigns.email.templateHint')} error={error}
      onChange={(e) => onPick(items.find((x) => x.id === e.target.value) ?? null)}>
      <option value="">{value ? t('campaigns.email.templateNone') : t('campaigns.email.templateChoose')}</option>
      {items.map((x) => <option key={x.id} value={x.id}>{x.name}</option>)}
    </SelectField>
  );
}

/** A stored campaign keeps only person ids: each chip reads its person's name (cached per person). */
// Up to 1 000 people fit an audience: name the first ones only (one read each).
const CHIPS_SHOWN = 50;

function PersonName({ id }: { id: string }) {
  const person = usePerson(id);
  return <>{person.data?.name ?? id}</>;
}


function AudienceFields({ draft, set, error, readOnly }: { draft: Draft; set: (patch: Partial<Draft>) => void; error?: string | undefined; readOnly: boolean }) {
  const { t } = useI18n();
  const lists = useLists();
  const segments = useSegments();
  const name = useId();
  const kinds: AudienceKind[] = ['list', 'segment', 'people', 'file'];
  const imports = useFileAudiences(draft.audienceKind === 'file');
  return (
    <fieldset disabled={readOnly}>
      <legend>{t('campaigns.audience.title')}</legend>
      <div className="radio-row" role="radiogroup" aria-label={t('campaigns.audience.kind')}>
        {kinds.map((k) => (
          <label key={k}>
            <input type="radio" name={name} value={k} checked={draft.audienceKind === k}
              onChange={() => set({ audienceKind: k, audienceId: '', importId: '' })} />
            {t(`campaigns.audience.${k}` as MessageKey)}
          </label>
        ))}
      </div>
      {draft.audienceKind === 'list' ? (
        <SelectField label={t('campaigns.audience.pickList')} value={draft.audienceId} onChange={(e) => set({ audienceId: e.target.value })} error={error}>
          <option value="">{t('campaigns.audience.choose')}</option>
          {(lists.data ?? []).map((l) => <option key={l.id} value={l.id}>{t('campaigns.audience.listOption', { name: l.name, count: l.count })}</option>)}
        </SelectField>
      ) : null}
      {draft.audienceKind === 'segment' ? (
        <SelectField label={t('campaigns.audience.pickSegment')} value={draft.audienceId} onChange={(e) => set({ audienceId: e.target.value })} error={error}
          hint={t('campaigns.audience.segmentHint')}>
          <option value="">{t('campaigns.audience.choose')}</option>
          {(segments.data ?? []).map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
        </SelectField>
      ) : null}
      {draft.audienceKind === 'file' ? (
        <>
          <SelectField label={t('campaigns.audience.pickImport')} value={draft.importId} onChange={(e) => set({ importId: e.target.value })}
            error={error} hint={t('campaigns.audience.importHint')}>
            <option value="">{t('campaigns.audience.choose')}</option>
            {(imports.data ?? []).map((job) => (
              <option key={job.id} value={job.id}>{t('campaigns.audience.importOption', { name: job.filename, count: job.summary.people_total ?? job.summary.unique })}</option>
            ))}
          </SelectField>
          {imports.data && !imports.data.length ? <p className="muted small">{t('campaigns.audience.noImports')}</p> : null}
          {!readOnly ? <p className="small"><Link to="/imports/new">{t('campaigns.audience.importNew')}</Link></p> : null}
        </>
      ) : null}
      {draft.audienceKind === 'people' ? (
        <>
          {draft.people.length ? (
            <ul className="chips" aria-label={t('campaigns.audience.chosen')}>
              {draft.people.slice(0, CHIPS_SHOWN).map((p) => (
                <li key={p.id} className="chip">
                  {p.name ?? <PersonName id={p.id} />}
                  <button type="button" className="chip-remove" aria-label={t('campaigns.audience.remove', { name: p.name ?? p.id })}
                    onClick={() => set({ people: draft.people.filter((x) => x.id !== p.id) })}>×</button>
                </li>
              ))}
            </ul>
          ) : <p className="muted small">{t('campaigns.audience.nobody')}</p>}
          {draft.people.length > CHIPS_SHOWN ? <p className="small">{t('campaigns.audience.more', { count: draft.people.length - CHIPS_SHOWN })}</p> : null}
          {error ? <p className="field-error" role="alert">{error}</p> : null}
          {!readOnly ? (
            <PersonPicker label={t('campaigns.audience.search')} exclude={draft.people.map((p) => p.id)}
              onPick={(p) => set({ people: [...draft.people, { id: p.id, name: p.name }] })} />
          ) : null}
        </>
      ) : null}
    </fieldset>
  );
}

function TemplateFields({ draft, set, focus, problems }: {
  draft: Draft;
  set: (patch: Partial<Draft>) => void;
  focus: (field: number, label: string) => (e: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) => void;
  problems: Record<string, string>;
}) {
  const { t } = useI18n();
  const templates = useSenderTemplates(draft.accountId || null);
  const options = useMergeOptions();
  const chosen = (templates.data ?? []).find((tpl) => tpl.name === draft.templateName && tpl.language === draft.templateLanguage);
  const count = chosen ? chosen.parameters : draft.templateParameters.length;
  const error = problems['content.template'] ?? problems['content.template.name'];
  return (
    <>
        <SelectField label={t('campaigns.whatsapp.template')} value={draft.templateName ? `${draft.templateName}|${draft.templateLanguage}` : ''} error={error}
          hint={draft.accountId ? t('campaigns.whatsapp.templateHint') : t('campaigns.whatsapp.accountFirst')}
          onChange={(e) => {
            const [name = '', language = ''] = e.target.value.split('|');
            const tpl = (templates.data ?? []).find((x) => x.name === name && x.language === language);
            set({ templateName: name, templateLanguage: language, templateParameters: fitParameters(draft.templateParameters, tpl?.parameters ?? 0) });
          }}>
          <option value="">{t('campaigns.whatsapp.choose')}</option>
          {(templates.data ?? []).map((tpl) => (
            <option key={`${tpl.name}|${tpl.language}`} value={`${tpl.name}|${tpl.language}`}>{`${tpl.name} (${tpl.language})`}</option>
          ))}
        </SelectField>
      {chosen?.body ? <p className="sms-bubble" aria-label={t('campaigns.whatsapp.body')}>{chosen.body}</p> : null}
      {Array.from({ length: count }, (_, i) => {
        const label = t('campaigns.whatsapp.parameter', { n: i + 1 });
        const value = draft.templateParameters[i] ?? '';
        const update = (next: string) => {
          const parameters = fitParameters(draft.templateParameters, count);
          parameters[i] = next;
          set({ templateParameters: parameters });
        };
        return (
          <div className="row" key={i}>
            <TextField label={label} value={value} onChange={(e) => update(e.target.value)} onFocus={focus(i, label)}
              error={problems[`content.template.parameters.${i}`]} />
            <SelectField label={t('campaigns.whatsapp.mapTo', { n: i + 1 })} value=""
              onChange={(e) => { if (e.target.value) update(mergeToken(e.target.value)); }}>
              <option value="">{t('campaigns.whatsapp.mapChoose')}</option>
              {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
            </SelectField>
          </div>
        );
      })}
      {problems['content.template.parameters'] ? <p className="field-error" role="alert">{problems['content.template.parameters']}</p> : null}
    </>
  );
}

function LivePreview({ draft, brand }: { draft: Draft; brand: { name: string } }) {
  const { t } = useI18n();
  const templates = useSenderTemplates(draft.channel === 'whatsapp' ? draft.accountId || null : null);
  const render = (text: string) => renderSample(text, SAMPLE, brand);
  let body;
  if (draft.channel === 'sms') body = <p className="sms-bubble" data-testid="sms-preview">{render(draft.smsText) || t('campaigns.preview.empty')}</p>;
  else if (draft.channel === 'email') {
    body = (
      <>
        <p><strong>{t('campaigns.email.subject')}:</strong> {render(draft.emailSubject)}</p>
        {/* sandbox="" : no scripts, no same origin, no forms — the HTML can only be looked at. */}
        <iframe className="email-frame" title={t('campaigns.email.frame')} sandbox="" srcDoc={render(draft.emailHtml)} />
      </>
    );
  } else {
    const tpl = (templates.data ?? []).find((x) => x.name === draft.templateName && x.language === draft.templateLanguage);
    const text = (tpl?.body ?? '').replace(/\{\{\s*(\d+)\s*\}\}/g, (_w, n: string) => render(draft.templateParameters[Number(n) - 1] ?? '') || `{{${n}}}`);
    body = <p className="sms-bubble">{text || t('campaigns.preview.empty')}</p>;
    if (tpl && templateSlots(tpl.body) !== tpl.parameters) body = <>{body}<p className="small muted">{t('campaigns.whatsapp.slots', { n: tpl.parameters })}</p></>;
  }
  return (
    <aside className="live-preview" aria-labelledby="campaign-live-preview">
      <h2 id="campaign-live-preview">{t('campaigns.editor.livePreview')}</h2>
      <p className="small muted">{t('campaigns.editor.sampleNote', { name: SAMPLE.name })}</p>
      {body}
    </aside>
  );
}
