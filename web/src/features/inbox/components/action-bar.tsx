import { useState, type FormEvent } from 'react';
import { Alert, Button, Dialog, SelectField, TextArea, TextField } from '@/components/ui';
import { ApiError } from '@/lib/api-client';
import { useAuth } from '@/lib/auth';
import { formErrors } from '@/lib/errors';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { useConversationActions } from '../api/conversations';
import { useAgents, useCloseReasons, useTeammates, useTeams } from '../api/directory';
import type { Conversation, Priority } from '../api/types';

type Open = null | 'close' | 'assign' | 'transfer' | 'snooze';

interface Holder { user_id?: string | null; name?: string | null; email?: string | null }

/** Take / assign / transfer / release / pending / close / reopen / snooze / pin / priority for one conversation. */
export function ActionBar({ conversation }: { conversation: Conversation }) {
  const { t, language } = useI18n();
  const { me, can } = useAuth();
  const actions = useConversationActions(conversation.id);
  const [open, setOpen] = useState<Open>(null);
  const [takeError, setTakeError] = useState<ApiError | null>(null);
  const [error, setError] = useState<unknown>(null);
  const supervisor = can('conversations:manage');
  const mine = conversation.assignee === me?.id;
  const closed = conversation.inbox_status === 'closed' || conversation.status === 'closed';
  const snoozed = conversation.inbox_status === 'snoozed';

  async function run(action: () => Promise<unknown>) {
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    }
  }

  async function take(confirm: boolean) {
    setTakeError(null);
    setError(null);
    try {
      await actions.take.mutateAsync(confirm);
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === 'conversation_taken') setTakeError(caught);
      else setError(caught);
    }
  }

  const holder = (takeError?.details as { holder?: Holder; can_force?: boolean } | undefined) ?? undefined;
  return (
    <div className="action-bar">
      <div role="toolbar" aria-label={t('action.toolbar')} className="toolbar">
        {!closed && !mine ? (
          <Button variant="primary" onClick={() => void take(false)} busy={actions.take.isPending}>{t('action.take')}</Button>
        ) : null}
        {!closed && supervisor ? <Button onClick={() => setOpen('assign')}>{t('action.assign')}</Button> : null}
        {!closed ? <Button onClick={() => setOpen('transfer')}>{t('action.transfer')}</Button> : null}
        {/* Supervisors send it to the queue from "Asignar"; this is the holder's own way back. */}
        {!closed && mine ? (
          <Button onClick={() => void run(() => actions.unassign.mutateAsync())} busy={actions.unassign.isPending}>{t('action.unassign')}</Button>
        ) : null}
        {!closed && !snoozed ? (
          <Button onClick={() => void run(() => actions.status.mutateAsync(conversation.status === 'pending' ? 'open' : 'pending'))}
            busy={actions.status.isPending}>
            {t(conversation.status === 'pending' ? 'action.markOpen' : 'action.markPending')}
          </Button>
        ) : null}
        {!closed ? (
          snoozed ? (
            <Button onClick={() => void run(() => actions.unsnooze.mutateAsync())}>{t('action.unsnooze')}</Button>
          ) : (
            <Button onClick={() => setOpen('snooze')}>{t('action.snooze')}</Button>
          )
        ) : null}
        <Button aria-pressed={conversation.pinned} onClick={() => void run(() => actions.pin.mutateAsync(!conversation.pinned))}>
          {conversation.pinned ? t('action.unpin') : t('action.pin')}
        </Button>
        <label className="inline-select">
          <span>{t('conversation.priority')}</span>
          <select value={conversation.priority} onChange={(e) => void run(() => actions.priority.mutateAsync(e.target.value as Priority))}>
            {['low', 'normal', 'high', 'urgent'].map((p) => (
              <option key={p} value={p}>{t(`inbox.priority.${p}` as MessageKey)}</option>
            ))}
          </select>
        </label>
        {closed ? (
          <Button variant="primary" onClick={() => void run(() => actions.reopen.mutateAsync())}>{t('action.reopen')}</Button>
        ) : (
          <Button variant="danger" onClick={() => setOpen('close')}>{t('action.close')}</Button>
        )}
      </div>
      {takeError ? (
        <Alert>
          {takeError.messageIn(language)}
          {holder?.holder?.email ? ` (${holder.holder.email})` : ''}
          {holder?.can_force ? (
            <>
              {' '}
              <Button variant="danger" onClick={() => void take(true)}>{t('action.takeOver')}</Button>
            </>
          ) : null}
        </Alert>
      ) : null}
      {error ? <Alert>{formErrors(error, language).message}</Alert> : null}
      <CloseDialog open={open === 'close'} onClose={() => setOpen(null)} conversationId={conversation.id} />
      <AssignDialog open={open === 'assign'} onClose={() => setOpen(null)} conversationId={conversation.id} />
      <TransferDialog open={open === 'transfer'} onClose={() => setOpen(null)} conversationId={conversation.id} />
      <SnoozeDialog open={open === 'snooze'} onClose={() => setOpen(null)} conversationId={conversation.id} />
    </div>
  );
}

function DialogActions({ busy, submit, onClose }: { busy: boolean; submit: string; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <div className="dialog-actions">
      <Button onClick={onClose}>{t('common.cancel')}</Button>
      <Button type="submit" variant="primary" busy={busy}>{submit}</Button>
    </div>
  );
}

export function CloseDialog({ open, onClose, conversationId }: { open: boolean; onClose: () => void; conversationId: string }) {
  const { t, language } = useI18n();
  const reasons = useCloseReasons();
  const { close } = useConversationActions(conversationId);
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      // The API decides: no reason → 422 close_reason_required, shown next to the field.
      await close.mutateAsync({ reason_id: reason || null, note: note.trim() || null });
      setReason('');
      setNote('');
      onClose();
    } catch (caught) {
      setError(caught);
    }
  }
  const errors = formErrors(error, language);
  const reasonError = errors.fields.reason_id ? errors.message : null;
  return (
    <Dialog open={open} title={t('close.title')} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        {errors.message && !reasonError ? <Alert>{errors.message}</Alert> : null}
        <SelectField label={t('close.reason')} value={reason} onChange={(e) => setReason(e.target.value)} required error={reasonError}>
          <option value="">{t('close.choose')}</option>
          {(reasons.data ?? []).filter((r) => r.active).map((r) => (
            <option key={r.id} value={r.id}>{language === 'en' ? (r.name_en ?? r.name) : r.name}</option>
          ))}
        </SelectField>
        <TextArea label={t('close.note')} value={note} onChange={(e) => setNote(e.target.value)} />
        <DialogActions busy={close.isPending} submit={t('close.submit')} onClose={onClose} />
      </form>
    </Dialog>
  );
}

function AssignDialog({ open, onClose, conversationId }: { open: boolean; onClose: () => void; conversationId: string }) {
  const { t, language } = useI18n();
  const agents = useAgents();
  const { assign } = useConversationActions(conversationId);
  const [agent, setAgent] = useState('');
  const [error, setError] = useState<unknown>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      await assign.mutateAsync(agent === '' || agent === 'none' ? null : agent);
      onClose();
    } catch (caught) {
      setError(caught);
    }
  }
  const errors = formErrors(error, language);
  return (
    <Dialog open={open} title={t('assign.title')} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <SelectField label={t('assign.agent')} value={agent} onChange={(e) => setAgent(e.target.value)} error={errors.message}>
          <option value="none">{t('assign.queue')}</option>
          {(agents.data ?? []).map((a) => (
            <option key={a.user_id} value={a.user_id}>
              {a.name ?? a.email} · {t(`presence.${a.status}` as MessageKey)} · {a.load}/{a.capacity}
            </option>
          ))}
        </SelectField>
        <DialogActions busy={assign.isPending} submit={t('assign.submit')} onClose={onClose} />
      </form>
    </Dialog>
  );
}

function TransferDialog({ open, onClose, conversationId }: { open: boolean; onClose: () => void; conversationId: string }) {
  const { t, language } = useI18n();
  const { me } = useAuth();
  const teammates = useTeammates();
  const teams = useTeams();
  const { transfer } = useConversationActions(conversationId);
  const [agent, setAgent] = useState('');
  const [team, setTeam] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [missing, setMissing] = useState(false);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setMissing(!agent && !team);
    if (!agent && !team) return;
    try {
      await transfer.mutateAsync({ user_id: agent || null, team_id: team || null, note: note.trim() || null });
      onClose();
    } catch (caught) {
      setError(caught);
    }
  }
  const errors = formErrors(error, language);
  return (
    <Dialog open={open} title={t('transfer.title')} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        {errors.message ? <Alert>{errors.message}</Alert> : null}
        <SelectField label={t('transfer.agent')} value={agent} onChange={(e) => setAgent(e.target.value)} error={errors.fields.user_id}>
          <option value="">{t('common.none')}</option>
          {(teammates.data ?? []).filter((a) => a.user_id !== me?.id).map((a) => (
            <option key={a.user_id} value={a.user_id}>{a.name ?? a.user_id} · {t(`presence.${a.status}` as MessageKey)}</option>
          ))}
        </SelectField>
        <SelectField label={t('transfer.team')} value={team} onChange={(e) => setTeam(e.target.value)}
          error={missing ? t('transfer.needTarget') : errors.fields.team_id}>
          <option value="">{t('common.none')}</option>
          {(teams.data ?? []).map((tm) => (
            <option key={tm.id} value={tm.id}>{tm.name}</option>
          ))}
        </SelectField>
        <TextArea label={t('transfer.note')} value={note} onChange={(e) => setNote(e.target.value)} />
        <DialogActions busy={transfer.isPending} submit={t('transfer.submit')} onClose={onClose} />
      </form>
    </Dialog>
  );
}

function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function SnoozeDialog({ open, onClose, conversationId }: { open: boolean; onClose: () => void; conversationId: string }) {
  const { t, language } = useI18n();
  const { snooze } = useConversationActions(conversationId);
  const [when, setWhen] = useState(() => toLocalInput(new Date(Date.now() + 3600_000)));
  const [error, setError] = useState<unknown>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      await snooze.mutateAsync(new Date(when).toISOString());
      onClose();
    } catch (caught) {
      setError(caught);
    }
  }
  const tomorrow = new Date();
  tomorrow.setDate(tomorrow.getDate() + 1);
  tomorrow.setHours(9, 0, 0, 0);
  const errors = formErrors(error, language);
  return (
    <Dialog open={open} title={t('snooze.title')} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <div className="toolbar">
          <Button onClick={() => setWhen(toLocalInput(new Date(Date.now() + 3600_000)))}>{t('snooze.in1h')}</Button>
          <Button onClick={() => setWhen(toLocalInput(tomorrow))}>{t('snooze.tomorrow')}</Button>
        </div>
        <TextField label={t('snooze.when')} type="datetime-local" value={when} onChange={(e) => setWhen(e.target.value)}
          error={errors.fields.until ?? errors.message} />
        <DialogActions busy={snooze.isPending} submit={t('snooze.submit')} onClose={onClose} />
      </form>
    </Dialog>
  );
}
