import { useI18n, type MessageKey } from '@/lib/i18n';
import type { LeadNote, LeadStatus, Outcome } from '../types';

export function StatusBadge({ status }: { status: LeadStatus }) {
  const { t } = useI18n();
  return <span className={`badge badge-status-${status}`}>{t(`leads.status.${status}` as MessageKey)}</span>;
}

/** The note's outcome, with who decided it (the AI and its model, or the operator) as its title. */
export function OutcomeBadge({ note }: { note: Pick<LeadNote, 'outcome' | 'outcome_source' | 'outcome_model'> }) {
  const { t } = useI18n();
  if (!note.outcome) return <span className="badge">{t('leads.outcome.pending')}</span>;
  const source =
    note.outcome_source === 'ai'
      ? t('leads.outcome.byAi', { model: note.outcome_model ?? 'IA' })
      : note.outcome_source
        ? t('leads.outcome.byOperator')
        : undefined;
  return (
    <span className={`badge badge-outcome-${note.outcome}`} title={source}>
      {t(`leads.outcome.${note.outcome as Outcome}` as MessageKey)}
      {source ? <span className="visually-hidden"> ({source})</span> : null}
    </span>
  );
}

export function authorName(note: LeadNote): string | null {
  return note.author?.name ?? note.author_name ?? note.author?.id ?? note.author_id ?? null;
}
