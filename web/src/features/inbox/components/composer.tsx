/**
 * The reply box: text (Enter sends, Shift+Enter new line), quick replies on `/` with their
 * merge fields previewed for this conversation, attachments uploaded from the computer (or by
 * URL) with the provider's limits and upload progress,
 * WhatsApp templates with their parameters once the 24-hour window is closed (its countdown
 * shown while open), an e-mail's subject ("Re: …" on replies, editable; a rendered e-mail
 * template fills it and attaches its HTML) and copies (CC, pre-filled reply-all), and notes mode with @mentions. What was typed survives errors, expired
 * tokens (the client refreshes and retries) and switching conversations (drafts per conversation).
 */
import { useEffect, useId, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { Alert, Button, FileField, SelectField, TextField } from '@/components/ui';
import { ApiError, localizedMessage } from '@/lib/api-client';
import { formatDuration } from '@/lib/format';
import { useI18n, type MessageKey } from '@/lib/i18n';
import type { Conversation, MessageIn, QuickReply, WhatsAppTemplate } from '../api/types';
import { UploadPutError, type Uploader } from '../api/uploads';
import { windowLeft } from './conversation-row';
import { parseCc } from './email-cc';
import type { EmailInsert } from './email-tools';

export interface Mentionable {
  id: string;
  name: string;
}

export interface QuickReplyPreview {
  text?: string | null;
  attachments?: Record<string, string | null>[] | undefined;
}

export interface ComposerProps {
  conversation: Pick<Conversation, 'id' | 'channel' | 'status' | 'window_expires_at' | 'reply_window_expires_at' | 'account_id' | 'subject'>;
  quickReplies: QuickReply[];
  templates: WhatsAppTemplate[];
  mentionables: Mentionable[];
  loadPreview: (replyId: string) => Promise<QuickReplyPreview>;
  onSend: (body: MessageIn) => Promise<unknown>;
  onNote: (note: { text: string; mentions: string[] }) => Promise<unknown>;
  /** epoch ms, for the window countdown (the caller refreshes it) */
  now: number;
  /** uploads a chosen file for this conversation (`api/uploads.ts`); absent: attach by URL only */
  upload?: Uploader;
  /** e-mail: a template rendered for this conversation; its text fills the box, its subject and HTML go with the reply */
  inserted?: EmailInsert | null;
  /** e-mail: the reply-all copies (the last e-mail's other recipients), pre-filled until the agent edits them */
  replyAll?: string[];
}

type Mode = 'reply' | 'note';
type Attachment =
  | { url: string; upload_id?: undefined; filename?: string | null; mime_type?: string | null }
  | { upload_id: string; url?: undefined; filename: string; mime_type: string };
interface Uploading { key: number; name: string; progress: number; error: string | null }
let uploadKeys = 0;

const drafts = new Map<string, string>();

// The providers' allow-lists and limits, as the API enforces them (docs/channels.md).
const LIMITS: Record<string, MessageKey> = {
  whatsapp: 'composer.limits.whatsapp',
  messenger: 'composer.limits.messenger',
  instagram: 'composer.limits.instagram',
  telegram: 'composer.limits.telegram',
  sms: 'composer.limits.sms',
  email: 'composer.limits.email',
  webchat: 'composer.limits.webchat',
};

function limitsKey(channel: string): MessageKey {
  return LIMITS[channel] ?? 'composer.limits.other';
}

/** What an e-mail client puts in a reply's subject: the thread's subject behind one "Re: ". */
export function replySubject(subject: string | null | undefined): string {
  const value = (subject ?? '').trim();
  if (!value) return '';
  return /^re\s*:/i.test(value) ? value : `Re: ${value}`;
}

function toBody(a: Attachment): NonNullable<MessageIn['attachments']>[number] {
  return a.upload_id !== undefined
    ? { upload_id: a.upload_id, filename: a.filename }
    : { url: a.url, filename: a.filename ?? null, mime_type: a.mime_type ?? null };
}

export function Composer({ conversation, quickReplies, templates, mentionables, loadPreview, onSend, onNote, now, upload, inserted, replyAll }: ComposerProps) {
  const { t, language } = useI18n();
  const id = useId();
  const textRef = useRef<HTMLTextAreaElement>(null);
  const [mode, setMode] = useState<Mode>('reply');
  const [text, setTextState] = useState(() => drafts.get(conversation.id) ?? '');
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const [attachUrl, setAttachUrl] = useState('');
  const [uploading, setUploading] = useState<Uploading[]>([]);
  const [mentions, setMentions] = useState<Mentionable[]>([]);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState(false);
  const [preview, setPreview] = useState<{ id: string; value: QuickReplyPreview } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState('');
  const [templateId, setTemplateId] = useState('');
  const [params, setParams] = useState<string[]>([]);
  const [email, setEmail] = useState<EmailInsert['email'] | null>(null);
  const isEmail = conversation.channel === 'email';
  const defaultSubject = replySubject(conversation.subject);
  const [subject, setSubject] = useState(defaultSubject);
  const defaultCc = (replyAll ?? []).join(', ');
  const [cc, setCc] = useState(defaultCc);
  const [ccSeen, setCcSeen] = useState(defaultCc);
  const [ccEdited, setCcEdited] = useState(false);
  // The thread's messages arrive after the composer: reply-all follows them until the agent types.
  if (defaultCc !== ccSeen) {
    setCcSeen(defaultCc);
    if (!ccEdited) setCc(defaultCc);
  }
  const [insertSeq, setInsertSeq] = useState(inserted?.seq ?? 0);
  // A newly inserted e-mail template replaces the text (adjusting state to the prop, no effect).
  if (inserted && inserted.seq !== insertSeq) {
    setInsertSeq(inserted.seq);
    drafts.set(conversation.id, inserted.text);
    setTextState(inserted.text);
    setEmail(inserted.email);
    if (inserted.email.subject) setSubject(inserted.email.subject);
    setMode('reply');
  }

  // One composer per conversation: the parent keys it by id, so state starts fresh (drafts stay).
  function setText(value: string) {
    drafts.set(conversation.id, value);
    setTextState(value);
    setDismissed(false);
    setActive(0);
  }

  const left = windowLeft(conversation, now);
  const windowClosed = left !== null && left <= 0 && mode === 'reply';
  const closed = conversation.status === 'closed';

  // `/shortcut` at the start of a reply → quick replies; `@name` at the end of a note → mentions.
  const slash = mode === 'reply' && !dismissed && text.startsWith('/') && !text.includes('\n') ? text.slice(1).toLowerCase() : null;
  const at = mode === 'note' && !dismissed ? /(?:^|\s)@([\p{L}\d._-]*)$/u.exec(text)?.[1]?.toLowerCase() ?? null : null;
  const replyOptions = useMemo(
    () =>
      slash === null
        ? []
        : quickReplies.filter((r) => r.shortcut.toLowerCase().startsWith(slash) || (r.title ?? '').toLowerCase().includes(slash)).slice(0, 8),
    [slash, quickReplies],
  );
  const mentionOptions = useMemo(
    () => (at === null ? [] : mentionables.filter((m) => m.name.toLowerCase().includes(at)).slice(0, 8)),
    [at, mentionables],
  );
  const popup = slash !== null ? 'replies' : at !== null ? 'mentions' : null;
  const optionCount = popup === 'replies' ? replyOptions.length : mentionOptions.length;
  const activeReply = popup === 'replies' ? replyOptions[Math.min(active, replyOptions.length - 1)] : undefined;

  useEffect(() => {
    if (!activeReply) return;
    let cancelled = false;
    loadPreview(activeReply.id).then(
      (value) => !cancelled && setPreview({ id: activeReply.id, value }),
      () => !cancelled && setPreview({ id: activeReply.id, value: { text: activeReply.text, attachments: [] } }),
    );
    return () => {
      cancelled = true;
    };
  }, [activeReply, loadPreview]);

  async function pickReply(reply: QuickReply) {
    let value = preview?.id === reply.id ? preview.value : null;
    if (!value) {
      try {
        value = await loadPreview(reply.id);
      } catch {
        value = { text: reply.text, attachments: [] };
      }
    }
    setText(value.text ?? '');
    setAttachments(
      (value.attachments ?? []).filter((a) => a.url).map((a): Attachment => ({ url: a.url ?? '', filename: a.filename, mime_type: a.mime_type })),
    );
    setDismissed(true);
    textRef.current?.focus();
  }

  async function uploadFiles(files: FileList | null) {
    if (!upload || !files) return;
    for (const file of Array.from(files)) {
      if (attachments.length + uploading.filter((u) => !u.error).length >= 5) break;
      const key = ++uploadKeys;
      const patch = (change: Partial<Uploading>) =>
        setUploading((list) => list.map((u) => (u.key === key ? { ...u, ...change } : u)));
      setUploading((list) => [...list, { key, name: file.name, progress: 0, error: null }]);
      try {
        const done = await upload(file, (progress) => patch({ progress }));
        setUploading((list) => list.filter((u) => u.key !== key));
        setAttachments((list) => [...list, { upload_id: done.upload_id, filename: done.filename, mime_type: done.mime_type }].slice(0, 5));
      } catch (caught) {
        const reason =
          caught instanceof ApiError
            ? caught.messageIn(language)
            : caught instanceof UploadPutError
              ? t('composer.upload.putFailed')
              : t('app.error');
        patch({ error: t('composer.upload.failed', { name: file.name, reason }) });
      }
    }
  }

  function pickMention(person: Mentionable) {
    setText(text.replace(/@([\p{L}\d._-]*)$/u, `@${person.name} `));
    setMentions((current) => (current.some((m) => m.id === person.id) ? current : [...current, person]));
    textRef.current?.focus();
  }

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    if (busy || closed) return;
    const body = text.trim();
    setError(null);
    setStatus('');
    setBusy(true);
    try {
      if (mode === 'note') {
        if (!body) return;
        const ids = mentions.filter((m) => body.includes(`@${m.name}`)).map((m) => m.id);
        await onNote({ text: body, mentions: ids });
        setStatus(t('composer.noteSaved'));
      } else if (windowClosed) {
        const template = templates.find((tpl) => tpl.id === templateId);
        if (!template) return;
        await onSend({ text: null, attachments: [], template: { name: template.name, language: template.language, parameters: params.slice(0, template.parameters) } });
        setTemplateId('');
        setParams([]);
        setStatus(t('composer.sent'));
        return;
      } else {
        if (!body && !attachments.length) return;
        if (uploading.some((u) => !u.error)) return; // wait for the files still on their way
        // The subject goes only when it is not the thread's own: the API threads an untouched reply itself.
        const typed = isEmail ? subject.trim() : '';
        const custom = typed && typed !== defaultSubject ? typed : null;
        const copies = isEmail ? parseCc(cc) : [];
        const options = email || custom || copies.length
          ? { email: { subject: custom ?? email?.subject ?? null, html: email?.html ?? null, ...(copies.length ? { cc: copies } : {}) } }
          : {};
        await onSend({ text: body || null, attachments: attachments.map(toBody), ...options });
        setEmail(null);
        setSubject(defaultSubject);
        setCc(defaultCc);
        setCcEdited(false);
        setStatus(t('composer.sent'));
      }
      setText('');
      setAttachments([]);
      setUploading([]);
      setMentions([]);
      setDismissed(false);
    } catch (caught) {
      setError(caught); // the text stays where it was
    } finally {
      setBusy(false);
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (popup && optionCount > 0) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        setActive((i) => (i + (event.key === 'ArrowDown' ? 1 : optionCount - 1)) % optionCount);
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        if (popup === 'replies' && activeReply) void pickReply(activeReply);
        const person = mentionOptions[Math.min(active, mentionOptions.length - 1)];
        if (popup === 'mentions' && person) pickMention(person);
        return;
      }
    }
    if (popup && event.key === 'Escape') {
      event.preventDefault();
      setDismissed(true);
      return;
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void submit();
    }
  }

  const apiError = error instanceof ApiError ? error : null;
  const message = error ? (apiError ? apiError.messageIn(language) : t('app.error')) : null;
  const fieldErrors = apiError?.fieldErrors() ?? {};
  // A refused copy is named next to the CC field: the whole message for a suppressed address, the field's reason otherwise.
  const ccField = Object.entries(fieldErrors).find(([field]) => field.startsWith('email.cc'))?.[1];
  const ccError = !ccField ? null
    : apiError?.code === 'cc_suppressed' ? message
      : localizedMessage(ccField.replace(/^Value error, /, ''), language);
  const listId = `${id}-options`;
  const optionId = (index: number) => `${id}-option-${index}`;
  const selectedTemplate = templates.find((tpl) => tpl.id === templateId);

  if (closed) return <p className="composer composer-closed muted">{t('composer.closed')}</p>;

  return (
    <form className={`composer composer-${mode}`} onSubmit={submit} aria-label={t('composer.label')}>
      <div role="radiogroup" aria-label={t('composer.mode')} className="composer-modes">
        {(['reply', 'note'] as Mode[]).map((m) => (
          <label key={m} className={mode === m ? 'is-active' : ''}>
            <input type="radio" name={`${id}-mode`} value={m} checked={mode === m} onChange={() => { setMode(m); setDismissed(false); }} />
            {m === 'reply' ? t('composer.reply') : t('composer.noteMode')}
          </label>
        ))}
      </div>
      {left !== null && mode === 'reply' ? (
        <p className={`window-state ${left > 0 ? 'is-open' : 'is-closed'}`} role="status">
          {left > 0 ? t('composer.window.open', { time: formatDuration(left) }) : t('composer.window.closed')}
        </p>
      ) : null}
      {windowClosed ? (
        <div className="template-form">
          <SelectField label={t('composer.template')} value={templateId} onChange={(e) => { setTemplateId(e.target.value); setParams([]); }}
            error={fieldErrors['template'] ?? (apiError && !Object.keys(fieldErrors).length ? message : null)}>
            <option value="">{t('composer.template.choose')}</option>
            {templates.map((tpl) => (
              <option key={tpl.id} value={tpl.id}>{tpl.name} ({tpl.language})</option>
            ))}
          </SelectField>
          {selectedTemplate ? (
            <>
              <p className="template-body">{selectedTemplate.body}</p>
              {Array.from({ length: selectedTemplate.parameters }, (_, index) => (
                <TextField key={index} label={t('composer.template.param', { n: index + 1 })} value={params[index] ?? ''} required
                  onChange={(e) => setParams((current) => { const next = [...current]; next[index] = e.target.value; return next; })} />
              ))}
            </>
          ) : null}
          <Button type="submit" variant="primary" busy={busy} disabled={!selectedTemplate}>{t('composer.template.send')}</Button>
        </div>
      ) : (
        <>
          {mode === 'reply' && isEmail ? (
            <TextField label={t('composer.subject')} value={subject} maxLength={998} autoComplete="off"
              placeholder={t('composer.subjectPlaceholder')} error={fieldErrors['email.subject'] ?? null}
              onChange={(e) => setSubject(e.target.value)} />
          ) : null}
          {mode === 'reply' && isEmail ? (
            <TextField label={t('composer.cc')} value={cc} autoComplete="off" inputMode="email"
              placeholder={t('composer.ccPlaceholder')} hint={t('composer.ccHint')}
              error={ccError}
              onChange={(e) => { setCc(e.target.value); setCcEdited(true); }} />
          ) : null}
          <div className="field composer-field">
            <label htmlFor={`${id}-text`} className="visually-hidden">{mode === 'note' ? t('composer.noteMode') : t('composer.label')}</label>
            <textarea
              id={`${id}-text`}
              ref={textRef}
              value={text}
              rows={3}
              placeholder={mode === 'note' ? t('composer.notePlaceholder') : t('composer.placeholder')}
              onChange={(e) => setText(e.target.value)}
              onKeyDown={onKeyDown}
              aria-invalid={message ? true : undefined}
              aria-describedby={message ? `${id}-error` : undefined}
              aria-controls={popup ? listId : undefined}
              aria-activedescendant={popup && optionCount ? optionId(Math.min(active, optionCount - 1)) : undefined}
            />
            {message ? <p id={`${id}-error`} className="field-error" role="alert">{message}</p> : null}
          </div>
          {popup ? (
            <div className="composer-popup">
              <p id={`${listId}-label`} className="popup-title">{popup === 'replies' ? t('composer.quickReplies') : t('composer.mentionList')}</p>
              {optionCount === 0 ? (
                <p className="muted">{t('composer.noQuickReplies')}</p>
              ) : (
                <div role="listbox" id={listId} aria-labelledby={`${listId}-label`}>
                  {popup === 'replies'
                    ? replyOptions.map((reply, index) => (
                        <div key={reply.id} id={optionId(index)} role="option" tabIndex={-1} aria-selected={index === Math.min(active, optionCount - 1)}
                          onMouseDown={(e) => { e.preventDefault(); void pickReply(reply); }}>
                          <strong>/{reply.shortcut}</strong> {reply.title}
                        </div>
                      ))
                    : mentionOptions.map((person, index) => (
                        <div key={person.id} id={optionId(index)} role="option" tabIndex={-1} aria-selected={index === Math.min(active, optionCount - 1)}
                          onMouseDown={(e) => { e.preventDefault(); pickMention(person); }}>
                          @{person.name}
                        </div>
                      ))}
                </div>
              )}
              {popup === 'replies' && activeReply ? (
                <div className="composer-preview" aria-live="polite">
                  <p className="popup-title">{t('composer.preview')}</p>
                  <p>{preview?.id === activeReply.id ? preview.value.text : activeReply.text}</p>
                </div>
              ) : null}
            </div>
          ) : null}
          {mode === 'reply' && email ? (
            <p className="small email-insert">
              {t('email.template.attached', { subject: subject.trim() || '—' })}{' '}
              <Button variant="ghost" onClick={() => { setEmail(null); setSubject(defaultSubject); }}>{t('email.template.detach')}</Button>
            </p>
          ) : null}
          {mode === 'reply' ? (
            <div className="composer-attach">
              {upload ? (
                <FileField id={`${id}-file`} label={t('composer.upload.choose')} multiple aria-describedby={`${id}-limits`}
                  listed
                  onChange={(e) => { void uploadFiles(e.target.files); e.target.value = ''; }} />
              ) : null}
              <p id={`${id}-limits`} className="field-hint">{t(limitsKey(conversation.channel))}</p>
            <details>
              <summary>{t('composer.attach')}</summary>
              <div className="attach-row">
                <TextField label={t('composer.attachUrl')} type="url" value={attachUrl} onChange={(e) => setAttachUrl(e.target.value)} />
                <Button onClick={() => { if (attachUrl.trim()) { setAttachments((a) => [...a, { url: attachUrl.trim() }].slice(0, 5)); setAttachUrl(''); } }}>
                  {t('composer.attachAdd')}
                </Button>
              </div>
            </details>
            </div>
          ) : null}
          {uploading.length ? (
            <ul className="upload-list" aria-label={t('composer.upload.list')}>
              {uploading.map((u) => (
                <li key={u.key}>
                  {u.error ? (
                    <>
                      <span role="alert" className="field-error">{u.error}</span>{' '}
                      <Button variant="ghost" onClick={() => setUploading((list) => list.filter((x) => x.key !== u.key))}>
                        {t('composer.attachRemove', { name: u.name })}
                      </Button>
                    </>
                  ) : (
                    <label>
                      {t('composer.upload.progress', { name: u.name, percent: Math.round(u.progress * 100) })}{' '}
                      <progress max={100} value={Math.round(u.progress * 100)} />
                    </label>
                  )}
                </li>
              ))}
            </ul>
          ) : null}
          {attachments.length ? (
            <ul className="attachment-list">
              {attachments.map((a, index) => {
                const name = a.filename ?? a.url?.split('/').pop() ?? a.url ?? '';
                return (
                  <li key={`${a.upload_id ?? a.url}-${index}`}>
                    {name}{' '}
                    <Button variant="ghost" onClick={() => setAttachments((list) => list.filter((_, i) => i !== index))}>
                      {t('composer.attachRemove', { name })}
                    </Button>
                  </li>
                );
              })}
            </ul>
          ) : null}
          <div className="composer-actions">
            <span role="status" className="muted">{status}</span>
            <Button type="submit" variant="primary" busy={busy} disabled={mode === 'reply' && uploading.some((u) => !u.error)}>
              {mode === 'note' ? t('composer.saveNote') : t('composer.send')}
            </Button>
          </div>
        </>
      )}
      {windowClosed && message && Object.keys(fieldErrors).length ? <Alert>{message}</Alert> : null}
    </form>
  );
}
