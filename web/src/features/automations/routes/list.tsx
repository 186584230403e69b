/** /automations: every automation of the brand with its on/off switch, trigger and last run. */
import { useState } from 'react';
import { Link } from 'react-router';
import { Pager } from '@/components/pager';
import { Alert, Spinner } from '@/components/ui';
import { problemsOf } from '@/features/crm/lib/errors';
import { useAuth } from '@/lib/auth';
import { formatDateTime } from '@/lib/format';
import { localizedMessage } from '@/lib/api-client';
import { useI18n } from '@/lib/i18n';
import { useAutomations, useToggleAutomation, type Automation } from '../api';
import '../automations.css';
import { triggerSummary } from '../lib/summary';

export function AutomationsRoute() {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const page = useAutomations(cursor);
  const toggle = useToggleAutomation();
  const editable = can('automations:edit');
  return (
    <main id="main" className="page">
      <header className="page-header">
        <h1>{t('automations.title')}</h1>
        <div className="row">
          <Link to="/automations/runs">{t('automations.runs.allTitle')}</Link>
          <Link to="/automations/approvals">{t('automations.approvals.title')}</Link>
          {editable ? <Link className="btn btn-primary" to="/automations/new">{t('automations.new')}</Link> : null}
        </div>
      </header>
      {page.isPending ? <Spinner label={t('common.loading')} /> : null}
      {page.isError ? <Alert>{problemsOf(page.error, language).message}</Alert> : null}
      {toggle.error ? <Alert>{problemsOf(toggle.error, language).message}</Alert> : null}
      {page.data?.items.length === 0 ? <p className="muted">{t('automations.none')}</p> : null}
      {page.data?.items.length ? (
        <table className="table">
          <caption className="visually-hidden">{t('automations.listLabel')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('automations.name')}</th>
              <th scope="col">{t('automations.active')}</th>
              <th scope="col">{t('automations.trigger')}</th>
              <th scope="col">{t('automations.lastRun')}</th>
              <th scope="col"><span className="visually-hidden">{t('automations.history')}</span></th>
            </tr>
          </thead>
          <tbody>
            {page.data.items.map((a) => (
              <Row key={a.id} automation={a} editable={editable} busy={toggle.isPending && toggle.variables?.id === a.id}
                onToggle={(active) => toggle.mutate({ id: a.id, active })} />
            ))}
          </tbody>
        </table>
      ) : null}
      <Pager cursors={cursors} setCursors={setCursors} nextCursor={page.data?.next_cursor} />
    </main>
  );

}

function Row({ automation: a, editable: canEdit, busy, onToggle }: { automation: Automation; editable: boolean; busy: boolean; onToggle: (active: boolean) => void }) {
  const { t, language } = useI18n();
  // The switch follows the click at once; the cache (optimistic, put back on error) catches up.
  const [shown, setShown] = useState<boolean | null>(null);
  const active = busy && shown !== null ? shown : a.active;
  return (
    <tr>
      <td>
        <Link to={`/automations/${a.id}`}>{a.name}</Link>
        {a.description ? <div className="small muted">{a.description}</div> : null}
        {a.paused_reason ? <div className="small"><span className="badge badge-warn">{t('automations.paused', { reason: localizedMessage(a.paused_reason, language) })}</span></div> : null}
      </td>
      <td>
        <label className="switch">
          <input type="checkbox" role="switch" checked={active} disabled={!canEdit} aria-busy={busy || undefined}
            aria-label={t('automations.toggle', { name: a.name })}
            onChange={(e) => {
              if (busy) return;
              setShown(e.target.checked);
              onToggle(e.target.checked);
            }} />
          <span aria-hidden="true">{active ? t('automations.active') : t('automations.inactive')}</span>
        </label>
      </td>
      <td>{triggerSummary(t, a.trigger)}</td>
      <td>
        {a.last_run_at ? formatDateTime(a.last_run_at, language) : t('automations.never')}
      </td>
      <td><Link to={`/automations/${a.id}/runs`} aria-label={`${t('automations.history')}: ${a.name}`}>{t('automations.history')}</Link></td>
    </tr>
  );
}
