/**
 * E-mail attachments of the editor: files checked against the limits before anything is sent
 * (each < 5 MB, together < 24 MB, at most 10), uploaded through the presigned route, listed with
 * their size, removable. The API checks the same limits again when the campaign is saved.
 */
import { useId, useState } from 'react';
import { Alert, FileField } from '@/components/ui';
import { problemsOf } from '@/features/crm/lib/errors';
import { useI18n } from '@/lib/i18n';
import { uploadAttachment } from '../api';
import { checkAttachments, formatSize, MAX_EACH, MAX_FILES, MAX_TOTAL, totalSize, type AttachmentProblem, type DraftAttachment } from '../lib/attachments';

export function AttachmentsField({ value, onChange, error, disabled }: {
  value: DraftAttachment[];
  onChange: (next: DraftAttachment[]) => void;
  error?: string | undefined;
  disabled: boolean;
}) {
  const { t, language } = useI18n();
  const inputId = useId();
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<string[]>([]);
  const describe = (p: AttachmentProblem) => {
    switch (p.kind) {
      case 'too_large': return t('campaigns.attachments.tooLarge', { name: p.filename, max: formatSize(MAX_EACH, language) });
      case 'empty': return t('campaigns.attachments.empty', { name: p.filename });
      case 'total': return t('campaigns.attachments.total', { max: formatSize(MAX_TOTAL, language) });
      case 'count': return t('campaigns.attachments.count', { max: MAX_FILES });
    }
  };
  const add = async (list: FileList | null) => {
    const files = Array.from(list ?? []);
    if (!files.length) return;
    const { accepted, problems: found } = checkAttachments(value, files);
    const messages = found.map(describe);
    const added: DraftAttachment[] = [];
    setBusy(true);
    try {
      for (const i of accepted) {
        const file = files[i];
        if (!file) continue;
        try {
          added.push(await uploadAttachment(file));
        } catch (err) {
          const message = err instanceof Error && err.message.startsWith('upload ') ? t('campaigns.attachments.uploadFailed', { name: file.name }) : problemsOf(err, language).message;
          messages.push(message || t('campaigns.attachments.uploadFailed', { name: file.name }));
        }
      }
    } finally {
      setBusy(false);
    }
    setProblems(messages);
    if (added.length) onChange([...value, ...added]);
  };
  const total = totalSize(value);
  const limits = t('campaigns.attachments.limits', { each: formatSize(MAX_EACH, language), total: formatSize(MAX_TOTAL, language), max: MAX_FILES });
  return (
    <div className="field" data-testid="campaign-attachments">
      {!disabled ? (
        <FileField id={inputId} label={t('campaigns.attachments.label')} hint={limits} multiple className="file-field-bare"
          disabled={busy || value.length >= MAX_FILES} listed
          onChange={(e) => {
            const input = e.currentTarget;
            void add(input.files).then(() => { input.value = ''; });
          }} />
      ) : (
        <>
          <span className="file-field-label">{t('campaigns.attachments.label')}</span>
          <p className="small muted">{limits}</p>
        </>
      )}
      {value.length ? (
        <ul className="attachments" aria-label={t('campaigns.attachments.list')}>
          {value.map((a) => (
            <li key={a.upload_id} className="chip">
              <span>{a.filename}</span> <span className="muted small">{formatSize(a.size, language)}</span>
              {!disabled ? (
                <button type="button" className="chip-remove" aria-label={t('campaigns.attachments.remove', { name: a.filename })}
                  onClick={() => onChange(value.filter((x) => x.upload_id !== a.upload_id))}>×</button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {value.length ? <p className="small">{t('campaigns.attachments.totalNow', { size: formatSize(total, language), max: formatSize(MAX_TOTAL, language) })}</p> : null}
      {busy ? <p className="small" role="status">{t('campaigns.attachments.uploading')}</p> : null}
      {problems.map((m) => <Alert key={m}>{m}</Alert>)}
      {error ? <p className="field-error" role="alert">{error}</p> : null}
    </div>
  );
}

