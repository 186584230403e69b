/** /automations/approvals: deals an automation holds until a manager approves or rejects them. */
import { useState } from 'react';
import { Link } from 'react-router';
import { Alert, Button, SelectField, Spinner, TextField } from '@/components/ui';
import { useAuth } from '@/lib/auth';
import { formatDateTime } from '@/lib/format';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { useApprovals, useDecideApproval, type Approval, type ApprovalStatus } from '../api';
import '../automations.css';
import { automationProblems } from '../lib/errors';

const STATUSES: readonly ApprovalStatus[] = ['pending', 'approved', 'rejected'];

export function ApprovalsRoute() {
  const { t, language } = useI18n();
  const [status, setStatus] = useState<ApprovalStatus>('pending');
  const approvals = useApprovals(status);
  return (
    <main id="main" className="page">
      <header className="page-header">
        <h1>{t('automations.approvals.title')}</h1>
        <Link to="/automations">{t('automations.title')}</Link>
      </header>
      <p className="field-hint">{t('automations.approvals.hint')}</p>
      <SelectField label={t('automations.runs.status')} value={status} onChange={(e) => setStatus(e.target.value as ApprovalStatus)}>
        {STATUSES.map((s) => <option key={s} value={s}>{t(`automations.approvals.status.${s}` as MessageKey)}</option>)}
      </SelectField>
      {approvals.isPending ? <Spinner label={t('common.loading')} /> : null}
      {approvals.isError ? <Alert>{automationProblems(approvals.error, language).message}</Alert> : null}
      {approvals.data?.items.length === 0 ? <p className="muted">{t('automations.approvals.none')}</p> : null}
      <ul className="run-list" aria-label={t('automations.approvals.title')}>
        {(approvals.data?.items ?? []).map((a) => <ApprovalItem key={a.id} approval={a} />)}
      </ul>
    </main>
  );
}

function ApprovalItem({ approval }: { approval: Approval }) {
  const { t, language } = useI18n();
  const { me } = useAuth();
  const decide = useDecideApproval();
  const [reason, setReason] = useState('');
  const problems = automationProblems(decide.error, language);
  const mine = me ? approval.approver_ids.includes(me.id) : false;
  const title = approval.deal_title ?? approval.deal_id;
  return (
    <li className="card">
      <h2>{t('automations.approvals.deal', { title, amount: String(approval.amount) })}</h2>
      <p className="small muted">{formatDateTime(approval.requested_at, language)} · <Link to={`/automations/${approval.automation_id}/runs`}>{t('automations.history')}</Link></p>
      {approval.message ? <p>{approval.message}</p> : null}
      {approval.status !== 'pending' ? (
        <p role="status">{t(`automations.approvals.status.${approval.status}` as MessageKey)}{approval.reason ? ` — ${approval.reason}` : ''}</p>
      ) : mine ? (
        <form className="filters" aria-label={t('automations.approvals.decide', { title })}
          onSubmit={(e) => { e.preventDefault(); }}>
          <TextField label={t('automations.approvals.reason')} value={reason} error={problems.fields.reason ?? problems.message}
            onChange={(e) => setReason(e.target.value)} />
          <Button busy={decide.isPending} onClick={() => decide.mutate({ id: approval.id, approve: true, reason: reason.trim() })}>
            {t('automations.approvals.approve')}
          </Button>
          <Button variant="danger" busy={decide.isPending} onClick={() => decide.mutate({ id: approval.id, approve: false, reason: reason.trim() })}>
            {t('automations.approvals.reject')}
          </Button>
        </form>
      ) : (
        <p className="muted">{t('automations.approvals.notYours')}</p>
      )}
    </li>
  );
}
