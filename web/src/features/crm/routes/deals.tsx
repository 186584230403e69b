/**
 * /deals: the kanban board of a pipeline (?pipeline=<id>). Cards drag between stages (HTML5 drag and
 * drop); every card also has a labelled "Move to" select, the keyboard and screen-reader way.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type DragEvent, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Alert, Button, Dialog, SelectField, Spinner, TextField } from '@/components/ui';
import { api, unwrap } from '@/lib/api-client';
import { useAuth } from '@/lib/auth';
import { useI18n } from '@/lib/i18n';
import { useUrlFilters } from '@/lib/use-url-filters';
import { useBoard, useCrmKey, useDeal, useDealMutations, useDeleteDeal, usePipelines, type Board, type Deal } from '../api';
import { CrmNav } from '../components/crm-nav';
import { problemsOf } from '../lib/errors';

function money(amount: string, currency: string, language: string): string {
  const value = Number(amount);
  if (!Number.isFinite(value)) return `${amount} ${currency}`;
  try {
    return new Intl.NumberFormat(language === 'en' ? 'en-US' : 'es-CO', { style: 'currency', currency, maximumFractionDigits: 2 }).format(value);
  } catch {
    return `${amount} ${currency}`;
  }
}

export function DealsRoute() {
  const { t, language } = useI18n();
  const { can } = useAuth();
  // Pushed: back returns to the pipeline seen before.
  const { params, resetFilters } = useUrlFilters({ push: true });
  const pipelines = usePipelines();
  const pipelineId = params.get('pipeline') ?? pipelines.data?.find((p) => p.is_default)?.id ?? pipelines.data?.[0]?.id ?? null;
  const board = useBoard(pipelineId);
  const [creatingPipeline, setCreatingPipeline] = useState(false);
  const [creatingDeal, setCreatingDeal] = useState(false);
  const editable = can('contacts:edit');
  return (
    <div className="page">
      <CrmNav />
      <header className="page-header">
        <h1>{t('crm.deals.title')}</h1>
        {editable ? (
          <div className="row">
            <Button onClick={() => setCreatingPipeline(true)}>{t('crm.deals.newPipeline')}</Button>
            {board.data ? <Button variant="primary" onClick={() => setCreatingDeal(true)}>{t('crm.deals.new')}</Button> : null}
          </div>
        ) : null}
      </header>
      <SelectField label={t('crm.deals.pipeline')} value={pipelineId ?? ''} onChange={(e) => resetFilters({ pipeline: e.target.value })}>
        {(pipelines.data ?? []).map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
      </SelectField>
      {board.isPending && pipelineId ? <Spinner label={t('common.loading')} /> : null}
      {board.isError ? <Alert>{problemsOf(board.error, language).message}</Alert> : null}
      {board.data ? <Kanban board={board.data} editable={editable} /> : null}
      {creatingPipeline ? <NewPipelineDialog onClose={(id) => { setCreatingPipeline(false); if (id) resetFilters({ pipeline: id }); }} /> : null}
      {creatingDeal && board.data ? <NewDealDialog board={board.data} onClose={() => setCreatingDeal(false)} /> : null}
    </div>
  );
}

function Kanban({ board, editable }: { board: Board; editable: boolean }) {
  const { t, language } = useI18n();
  const key = useCrmKey();
  const client = useQueryClient();
  const { move } = useDealMutations();
  const [over, setOver] = useState<string | null>(null);
  const [announce, setAnnounce] = useState('');
  const [openDeal, setOpenDeal] = useState<string | null>(null);
  const stageName = (id: string) => board.pipeline.stages.find((s) => s.id === id)?.name ?? id;

  const moveDeal = (deal: Deal, stageId: string) => {
    if (deal.stage_id === stageId) return;
    // Optimistic: the card lands at once; the board is refetched (totals) when the API answers.
    client.setQueryData<Board>(key('deals', 'board', board.pipeline.id), (current) =>
      current
        ? {
            ...current,
            columns: current.columns.map((c) => ({
              ...c,
              count: c.stage.id === stageId ? c.count + 1 : c.stage.id === deal.stage_id ? c.count - 1 : c.count,
              deals: c.stage.id === stageId ? [{ ...deal, stage_id: stageId }, ...c.deals] : c.deals.filter((d) => d.id !== deal.id),
            })),
          }
        : current,
    );
    move.mutate({ id: deal.id, stageId }, {
      onSuccess: () => setAnnounce(t('crm.deals.moved', { deal: deal.title, stage: stageName(stageId) })),
    });
  };
  const onDrop = (event: DragEvent, stageId: string) => {
    event.preventDefault();
    setOver(null);
    const id = event.dataTransfer.getData('text/plain');
    const deal = board.columns.flatMap((c) => c.deals).find((d) => d.id === id);
    if (deal) moveDeal(deal, stageId);
  };
  return (
    <>
      {move.error ? <Alert>{problemsOf(move.error, language).message}</Alert> : null}
      <p className="visually-hidden" aria-live="polite">{announce}</p>
      <div className="kanban">
        {board.columns.map((column) => (
          // eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions -- a drop zone for the mouse; the "Move to" select is the keyboard path
          <section key={column.stage.id} className={`kanban-column${over === column.stage.id ? ' drop-target' : ''}`}
            aria-labelledby={`stage-${column.stage.id}`} data-stage={column.stage.id}
            onDragOver={(e) => { if (editable) { e.preventDefault(); setOver(column.stage.id); } }}
            onDragLeave={() => setOver(null)}
            onDrop={(e) => onDrop(e, column.stage.id)}>
            <header>
              <h2 id={`stage-${column.stage.id}`} className="h4">{column.stage.name}</h2>
              <p className="muted small">
                {column.count === 1 ? t('crm.deals.countOne') : t('crm.deals.count', { count: column.count })}
                {column.totals.map((total) => (
                  <span key={total.currency} className="stage-total"> · {money(total.amount, total.currency, language)}</span>
                ))}
              </p>
            </header>
            <ul className="plain">
              {column.deals.map((deal) => (
                // eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions -- dragged with the mouse; the "Move to" select is the keyboard path
                <li key={deal.id} className="deal-card" draggable={editable} aria-label={deal.title}
                  onDragStart={(e) => { e.dataTransfer.setData('text/plain', deal.id); e.dataTransfer.effectAllowed = 'move'; }}>
                  <strong>{deal.title}</strong>
                  <div>{money(deal.amount, deal.currency, language)}</div>
                  <Button variant="ghost" aria-label={t('crm.deals.openDeal', { deal: deal.title })} onClick={() => setOpenDeal(deal.id)}>
                    {t('crm.deals.details')}
                  </Button>
                  {deal.person_id ? <Link to={`/people/${deal.person_id}`}>{t('crm.deals.person')}</Link> : null}
                  {editable ? (
                    <label className="field small">
                      <span>{t('crm.deals.moveTo')}</span>
                      <select value={deal.stage_id} onChange={(e) => moveDeal(deal, e.target.value)}>
                        {board.pipeline.stages.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
                      </select>
                    </label>
                  ) : null}
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
      {openDeal ? <DealDialog dealId={openDeal} editable={editable} onClose={() => setOpenDeal(null)} /> : null}
    </>
  );
}

/** One deal read from the API (not the board's copy), with its deletion behind a second click. */
function DealDialog({ dealId, editable, onClose }: { dealId: string; editable: boolean; onClose: () => void }) {
  const { t, language } = useI18n();
  const deal = useDeal(dealId);
  const remove = useDeleteDeal();
  const [confirming, setConfirming] = useState(false);
  const d = deal.data;
  return (
    <Dialog open title={d?.title ?? t('crm.deals.details')} onClose={onClose}>
      {deal.isPending ? <Spinner label={t('common.loading')} /> : null}
      {deal.isError ? <Alert>{problemsOf(deal.error, language).message}</Alert> : null}
      {d ? (
        <dl className="facts">
          <dt>{t('crm.deals.amount')}</dt><dd>{money(d.amount, d.currency, language)}</dd>
          <dt>{t('crm.deals.stage')}</dt><dd>{d.stage_name ?? d.stage_id}</dd>
          <dt>{t('crm.deals.probability')}</dt><dd>{d.probability}%</dd>
          {d.expected_close ? <><dt>{t('crm.deals.expectedClose')}</dt><dd>{d.expected_close}</dd></> : null}
          {d.description ? <><dt>{t('crm.deals.description')}</dt><dd>{d.description}</dd></> : null}
        </dl>
      ) : null}
      {d?.person_id ? <p><Link to={`/people/${d.person_id}`}>{t('crm.deals.person')}</Link></p> : null}
      {remove.error ? <Alert>{problemsOf(remove.error, language).message}</Alert> : null}
      {confirming ? <p>{t('crm.deals.deleteExplain', { deal: d?.title ?? '' })}</p> : null}
      <div className="row">
        {editable && d ? (
          confirming ? (
            <Button variant="danger" busy={remove.isPending} onClick={() => remove.mutate(d.id, { onSuccess: onClose })}>
              {t('crm.deals.deleteConfirm')}
            </Button>
          ) : (
            <Button variant="danger" onClick={() => setConfirming(true)}>{t('crm.deals.delete')}</Button>
          )
        ) : null}
        <Button onClick={confirming ? () => setConfirming(false) : onClose}>{confirming ? t('common.cancel') : t('common.close')}</Button>
      </div>
    </Dialog>
  );
}

function NewPipelineDialog({ onClose }: { onClose: (id?: string) => void }) {
  const { t, language } = useI18n();
  const key = useCrmKey();
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [stages, setStages] = useState(t('crm.deals.defaultStages'));
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/pipelines', {
      body: { name: name.trim(), stages: stages.split(',').map((s) => s.trim()).filter(Boolean).map((s) => ({ name: s, probability: 0, outcome: 'open' as const })), is_default: false },
    })),
    onSuccess: (pipeline) => {
      void client.invalidateQueries({ queryKey: key('pipelines') });
      onClose(pipeline.id);
    },
  });
  const problems = problemsOf(create.error, language);
  return (
    <Dialog open title={t('crm.deals.newPipeline')} onClose={() => onClose()}>
      <form noValidate onSubmit={(e: FormEvent) => { e.preventDefault(); create.mutate(); }}>
        {problems.message ? <Alert>{problems.message}</Alert> : null}
        <TextField label={t('crm.deals.pipelineName')} value={name} required onChange={(e) => setName(e.target.value)} error={problems.fields.name} />
        <TextField label={t('crm.deals.stages')} hint={t('crm.deals.stagesHint')} value={stages} onChange={(e) => setStages(e.target.value)} error={problems.fields.stages} />
        <div className="row">
          <Button type="submit" variant="primary" busy={create.isPending}>{t('common.save')}</Button>
          <Button onClick={() => onClose()}>{t('common.cancel')}</Button>
        </div>
      </form>
    </Dialog>
  );
}

function NewDealDialog({ board, onClose }: { board: Board; onClose: () => void }) {
  const { t, language } = useI18n();
  const { create } = useDealMutations();
  const [form, setForm] = useState({ title: '', amount: '', stage_id: board.pipeline.stages[0]?.id ?? '' });
  const problems = problemsOf(create.error, language);
  return (
    <Dialog open title={t('crm.deals.new')} onClose={onClose}>
      <form noValidate onSubmit={(e) => {
        e.preventDefault();
        create.mutate({ title: form.title.trim(), amount: form.amount || '0', pipeline_id: board.pipeline.id, stage_id: form.stage_id }, { onSuccess: onClose });
      }}>
        {problems.message ? <Alert>{problems.message}</Alert> : null}
        <TextField label={t('crm.deals.dealTitle')} value={form.title} required onChange={(e) => setForm({ ...form, title: e.target.value })} error={problems.fields.title} />
        <TextField label={t('crm.deals.amount')} inputMode="decimal" value={form.amount} onChange={(e) => setForm({ ...form, amount: e.target.value })} error={problems.fields.amount} />
        <SelectField label={t('crm.deals.stage')} value={form.stage_id} onChange={(e) => setForm({ ...form, stage_id: e.target.value })} error={problems.fields.stage_id}>
          {board.pipeline.stages.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
        </SelectField>
        <div className="row">
          <Button type="submit" variant="primary" busy={create.isPending}>{t('common.save')}</Button>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
        </div>
      </form>
    </Dialog>
  );
}
