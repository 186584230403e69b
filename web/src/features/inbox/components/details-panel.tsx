import { lazy, Suspense, useId, useState, type FormEvent } from 'react';
import { Button, Spinner, TextField } from '@/components/ui';
import { useAuth } from '@/lib/auth';
import { formatDateTime } from '@/lib/format';
import { formErrors } from '@/lib/errors';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { useConversationActions } from '../api/conversations';
import { useTeams } from '../api/directory';
import type { Conversation } from '../api/types';
import { EmailDetails } from './email-tools';

// The CRM's person panel (identities, fields, tags, journey, owner, lists, deals, tasks, timeline), loaded on demand.
const PersonPanel = lazy(() => import('@/features/crm').then((m) => ({ default: m.PersonPanel })));

/** The third pane: who the customer is and the conversation's state (tags editable here). */
export function DetailsPanel({ conversation }: { conversation: Conversation }) {
  const { t, language } = useI18n();
  const teams = useTeams();
  const { can } = useAuth();
  const { tags } = useConversationActions(conversation.id);
  const [tag, setTag] = useState('');
  const [error, setError] = useState<unknown>(null);
  const headingId = useId();
  const tagsHeadingId = useId();
  const team = teams.data?.find((tm) => tm.id === conversation.team_id);

  async function addTag(event: FormEvent) {
    event.preventDefault();
    const value = tag.trim();
    if (!value) return;
    setError(null);
    try {
      await tags.mutateAsync({ add: [value], remove: [] });
      setTag('');
    } catch (caught) {
      setError(caught);
    }
  }
  async function removeTag(value: string) {
    setError(null);
    try {
      await tags.mutateAsync({ add: [], remove: [value] });
    } catch (caught) {
      setError(caught);
    }
  }
  const errors = formErrors(error, language);
  return (
    <aside className="pane pane-details" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('conversation.details')}</h2>
      <dl className="details-list">
        <dt>{t('conversation.contact')}</dt>
        <dd>{conversation.contact.name ?? '—'}</dd>
        {conversation.contact.phone ? (<><dt>{t('conversation.phone')}</dt><dd>{conversation.contact.phone}</dd></>) : null}
        {conversation.contact.email ? (<><dt>{t('conversation.email')}</dt><dd>{conversation.contact.email}</dd></>) : null}
        <dt>{t('conversation.assignee')}</dt>
        <dd>{conversation.assignee_name ?? (conversation.assignee ? conversation.assignee : t('inbox.unassigned'))}</dd>
        <dt>{t('conversation.team')}</dt>
        <dd>{team?.name ?? conversation.team_id ?? '—'}</dd>
        <dt>{t('conversation.priority')}</dt>
        <dd>{t(`inbox.priority.${conversation.priority}` as MessageKey)}</dd>
        <dt>{t('inbox.filter.status')}</dt>
        <dd>
          {t(`inbox.status.${conversation.inbox_status}` as MessageKey)}
          {conversation.snoozed_until ? ` · ${t('conversation.snoozedUntil', { date: formatDateTime(conversation.snoozed_until, language) })}` : ''}
          {conversation.closed_at ? ` · ${t('conversation.closedAt', { date: formatDateTime(conversation.closed_at, language) })}` : ''}
        </dd>
        <dt>{t('conversation.csat')}</dt>
        <dd>
          {conversation.rating != null
            ? t('conversation.csatValue', { rating: conversation.rating })
            : conversation.awaiting_rating_until
              ? t('conversation.csatAwaiting')
              : t('conversation.csatNone')}
        </dd>
        {conversation.created_at ? (<><dt>{t('conversation.createdAt')}</dt><dd>{formatDateTime(conversation.created_at, language)}</dd></>) : null}
      </dl>
      {/* Named apart from the contact's tags further down (the person card): this one tags the conversation. */}
      <section aria-labelledby={tagsHeadingId}>
        <h3 id={tagsHeadingId}>{t('conversation.tags')}</h3>
        <ul className="chips" aria-labelledby={tagsHeadingId}>
          {(conversation.tags ?? []).map((value) => (
            <li key={value} className="chip">
              {value}
              <button type="button" className="chip-remove" onClick={() => void removeTag(value)} aria-label={t('tags.remove', { tag: value })}>×</button>
            </li>
          ))}
        </ul>
        <form noValidate className="tag-form" onSubmit={addTag} aria-labelledby={tagsHeadingId}>
          <TextField label={t('tags.add')} value={tag} onChange={(e) => setTag(e.target.value)} error={errors.message} />
          <Button type="submit">{t('tags.submit')}</Button>
        </form>
      </section>
      {conversation.channel === 'email' ? <EmailDetails conversationId={conversation.id} /> : null}
      {can('contacts:view') && conversation.contact.person_id ? (
        <Suspense fallback={<Spinner label={t('app.loading')} />}>
          <PersonPanel personId={conversation.contact.person_id} headingLevel={3} />
        </Suspense>
      ) : null}
    </aside>
  );
}
