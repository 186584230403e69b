/**
 * The top of one campaign's pages: name, status, channel, the links between editor, preview and
 * statistics, and the lifecycle buttons the status allows (each confirmed first).
 */
import { useState } from 'react';
import { NavLink, useNavigate } from 'react-router';
import { Confirm } from '@/components/confirm';
import { Alert, Button } from '@/components/ui';
import { problemsOf } from '@/features/crm/lib/errors';
import { useAuth } from '@/lib/auth';
import { formatDateTime } from '@/lib/format';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { useCampaignAction, type Action, type Campaign } from '../api';
import { actions } from '../lib/status';
import { ChannelLabel, StatusBadge } from './status-badge';

const CONFIRMED: Action[] = ['pause', 'resume', 'cancel'];

export function CampaignHeader({ campaign: c }: { campaign: Campaign }) {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const navigate = useNavigate();
  const action = useCampaignAction();
  const [asking, setAsking] = useState<Action | null>(null);
  const editable = can('campaigns:edit');
  const run = (which: Action) =>
    action.mutate({ id: c.id, action: which }, {
      onSuccess: (saved) => {
        setAsking(null);
        if (which === 'duplicate') navigate(`/campaigns/${saved.id}`);
      },
    });
  const buttons: Action[] = editable
    // A draft is deleted from the list rather than "cancelled".
    ? (['pause', 'resume', 'cancel'] as const).filter((a) => actions[a](c) && !(a === 'cancel' && c.status === 'draft'))
    : [];
  const links: [string, MessageKey][] = [
    [`/campaigns/${c.id}`, actions.edit(c) && editable ? 'campaigns.tab.edit' : 'campaigns.tab.content'],
    [`/campaigns/${c.id}/preview`, 'campaigns.tab.preview'],
    [`/campaigns/${c.id}/stats`, 'campaigns.tab.stats'],
  ];
  return (
    <header className="campaign-header">
      <p className="small"><NavLink to="/campaigns">{t('campaigns.back')}</NavLink></p>
      <div className="page-header">
        <h1>{c.name}</h1>
        <div className="row">
          <StatusBadge status={c.status} />
          <span className="badge"><ChannelLabel channel={c.channel} /></span>
          {c.archived ? <span className="badge">{t('campaigns.archived')}</span> : null}
          {buttons.map((b) => (
            <Button key={b} variant={b === 'cancel' ? 'danger' : 'secondary'} onClick={() => { action.reset(); setAsking(b); }}>{t(`campaigns.action.${b}` as MessageKey)}</Button>
          ))}
          {editable ? <Button onClick={() => run('duplicate')} busy={action.isPending && action.variables?.action === 'duplicate'}>{t('campaigns.action.duplicate')}</Button> : null}
        </div>
      </div>
      {c.scheduled_at && c.status === 'scheduled' ? <p>{t('campaigns.scheduledFor', { at: formatDateTime(c.scheduled_at, language) })}</p> : null}
      {c.reason ? <Alert kind="info">{t('campaigns.reason', { reason: c.reason })}</Alert> : null}
      {action.error ? <Alert>{problemsOf(action.error, language).message}</Alert> : null}
      <nav className="subnav" aria-label={t('campaigns.tab.label')}>
        <ul>
          {links.map(([to, label]) => (
            <li key={to}><NavLink to={to} end>{t(label)}</NavLink></li>
          ))}
        </ul>
      </nav>
      {CONFIRMED.map((which) => (
        <Confirm key={which} open={asking === which} title={t(`campaigns.confirm.${which}.title` as MessageKey, { name: c.name })}
          confirm={t(`campaigns.action.${which}` as MessageKey)} danger={which === 'cancel'}
          busy={action.isPending} error={action.error} onConfirm={() => run(which)} onClose={() => setAsking(null)}>
          <p>{t(`campaigns.confirm.${which}.body` as MessageKey)}</p>
        </Confirm>
      ))}
    </header>
  );
}
