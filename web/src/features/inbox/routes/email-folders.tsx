/** `/email-folders`: the e-mail conversations filed in a folder or under a label, each linking to the inbox. */
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Alert, Button, SelectField, Spinner, TextField } from '@/components/ui';
import { formatDateTime } from '@/lib/format';
import { formErrors } from '@/lib/errors';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { useFiledConversations } from '@/features/settings/email-api';
import { Pager } from '@/components/pager';

const FOLDERS = ['inbox', 'sent', 'archived'] as const;

export function EmailFoldersRoute() {
  const { t, language } = useI18n();
  const [filter, setFilter] = useState({ folder: 'inbox', label: '' });
  const [draft, setDraft] = useState(filter);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const list = useFiledConversations(filter, cursors[cursors.length - 1] ?? null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFilter({ folder: draft.folder.trim() || 'inbox', label: draft.label.trim().toLowerCase() });
    setCursors([null]);
  };
  return (
    <main id="main" className="page">
      <p><Link to="/inbox">← {t('inbox.title')}</Link></p>
      <h1>{t('email.folders.title')}</h1>
      <form noValidate role="search" className="filters" onSubmit={submit}>
        <SelectField label={t('email.folder.label')} value={draft.folder} onChange={(e) => setDraft({ ...draft, folder: e.target.value })}>
          {FOLDERS.map((name) => <option key={name} value={name}>{t(`email.folder.${name}` as MessageKey)}</option>)}
        </SelectField>
        <TextField label={t('email.folders.label')} hint={t('email.folders.labelHint')} value={draft.label} onChange={(e) => setDraft({ ...draft, label: e.target.value })} />
        <Button type="submit">{t('common.search')}</Button>
      </form>
      {list.isError ? <Alert>{formErrors(list.error, language).message}</Alert> : null}
      {list.isPending ? <Spinner label={t('common.loading')} /> : null}
      <ul className="plain">
        {(list.data?.items ?? []).map((c) => (
          <li key={c.id} className="card">
            <Link to={`/inbox/${c.id}`}>{c.contact.name ?? c.contact.email ?? c.contact.external_id ?? c.id}</Link>{' '}
            <span className="muted small">{c.subject ?? c.last_message?.text ?? ''} · {formatDateTime(c.last_activity_at, language)}</span>
          </li>
        ))}
      </ul>
      {list.data && list.data.items.length === 0 ? <p className="muted">{t('email.folders.empty')}</p> : null}
      <Pager cursors={cursors} setCursors={setCursors} nextCursor={list.data?.next_cursor} />
    </main>
  );
}
