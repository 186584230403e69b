import { useState } from 'react';
import { Button, SelectField, TextField } from '@/components/ui';
import { useT, type MessageKey } from '@/lib/i18n';
import type { Agent, Team } from '../api/types';
import { DEFAULT_STATUS, type InboxFilters } from '../filters';
import { CHANNELS } from './channel-icon';

const STATUSES = ['open,pending', 'open', 'pending', 'snoozed', 'closed'];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
const WAITS = ['15m', '1h', '4h', '1d'];

/** The list's filters; every change is applied at once (the URL keeps them). */
export function InboxFiltersForm({
  filters,
  onChange,
  onClear,
  teams,
  agents,
  showAssignee,
}: {
  filters: InboxFilters;
  onChange: (changes: Partial<InboxFilters>) => void;
  onClear: () => void;
  teams: Team[];
  agents: Agent[];
  showAssignee: boolean;
}) {
  const t = useT();
  const [tags, setTags] = useState(filters.tags);
  const [shownTags, setShownTags] = useState(filters.tags);
  if (shownTags !== filters.tags) {
    setShownTags(filters.tags);
    setTags(filters.tags);
  }
  return (
    <fieldset className="inbox-filters">
      <legend>{t('inbox.filters')}</legend>
      <SelectField label={t('inbox.filter.status')} value={filters.status} onChange={(e) => onChange({ status: e.target.value === DEFAULT_STATUS ? '' : e.target.value })}>
        {STATUSES.map((status) => (
          <option key={status} value={status}>
            {status === DEFAULT_STATUS ? t('inbox.status.active') : t(`inbox.status.${status}` as MessageKey)}
          </option>
        ))}
      </SelectField>
      <SelectField label={t('inbox.filter.channel')} value={filters.channel} onChange={(e) => onChange({ channel: e.target.value })}>
        <option value="">{t('common.all')}</option>
        {CHANNELS.map((channel) => (
          <option key={channel} value={channel}>{t(`channel.${channel}` as MessageKey)}</option>
        ))}
      </SelectField>
      {showAssignee ? (
        <SelectField label={t('inbox.filter.assignee')} value={filters.assignee} onChange={(e) => onChange({ assignee: e.target.value })}>
          <option value="">{t('common.all')}</option>
          <option value="none">{t('inbox.unassigned')}</option>
          {agents.map((agent) => (
            <option key={agent.user_id} value={agent.user_id}>{agent.name ?? agent.email ?? agent.user_id}</option>
          ))}
        </SelectField>
      ) : null}
      <SelectField label={t('inbox.filter.team')} value={filters.team} onChange={(e) => onChange({ team: e.target.value })}>
        <option value="">{t('common.all')}</option>
        {teams.map((team) => (
          <option key={team.id} value={team.id}>{team.name}</option>
        ))}
      </SelectField>
      <SelectField label={t('inbox.filter.owner')} value={filters.owner} onChange={(e) => onChange({ owner: e.target.value })}>
        <option value="">{t('common.all')}</option>
        <option value="me">{t('inbox.filter.ownerMe')}</option>
        {agents.map((agent) => (
          <option key={agent.user_id} value={agent.user_id}>{agent.name ?? agent.email ?? agent.user_id}</option>
        ))}
      </SelectField>
      <SelectField label={t('inbox.filter.priority')} value={filters.priority} onChange={(e) => onChange({ priority: e.target.value })}>
        <option value="">{t('common.any')}</option>
        {PRIORITIES.map((p) => (
          <option key={p} value={p}>{t(`inbox.priority.${p}` as MessageKey)}</option>
        ))}
      </SelectField>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onChange({ tags: tags.split(',').map((s) => s.trim()).filter(Boolean).join(',') });
        }}
      >
        <TextField label={t('inbox.filter.tags')} hint={t('inbox.filter.tagsHint')} value={tags} onChange={(e) => setTags(e.target.value)}
          onBlur={() => onChange({ tags: tags.split(',').map((s) => s.trim()).filter(Boolean).join(',') })} />
      </form>
      <SelectField label={t('inbox.filter.unanswered')} value={filters.unanswered} onChange={(e) => onChange({ unanswered: e.target.value })}>
        <option value="">{t('common.any')}</option>
        {WAITS.map((w) => (
          <option key={w} value={w}>{t(`inbox.duration.${w}` as MessageKey)}</option>
        ))}
      </SelectField>
      <SelectField label={t('inbox.filter.sort')} value={filters.sort || 'last_message'} onChange={(e) => onChange({ sort: e.target.value === 'last_message' ? '' : e.target.value })}>
        <option value="last_message">{t('inbox.sort.last_message')}</option>
        <option value="waiting">{t('inbox.sort.waiting')}</option>
      </SelectField>
      <Button variant="ghost" onClick={onClear}>{t('inbox.filters.clear')}</Button>
    </fieldset>
  );
}
