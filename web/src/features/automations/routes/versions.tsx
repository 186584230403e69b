/** /automations/:id/versions — every published version, which one runs now, and each drawn read-only. */
import { useState } from 'react';
import { useParams } from 'react-router';
import { Alert, Button, Spinner } from '@/components/ui';
import { formatDateTime } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import { useAutomation, useVersions } from '../api';
import '../automations.css';
import { AutomationTabs } from '../components/automation-tabs';
import { FlowView } from '../components/flow-view';
import { automationProblems } from '../lib/errors';
import { draftFromJson } from '../lib/model';
import { rulesSummary, triggerSummary } from '../lib/summary';

export function VersionsRoute() {
  const { automationId = '' } = useParams();
  const { t, language } = useI18n();
  const automation = useAutomation(automationId, { fresh: true });
  const versions = useVersions(automationId);
  const [shown, setShown] = useState<number | null>(null);
  const error = automation.error ?? versions.error;
  const items = [...(versions.data?.items ?? [])].sort((a, b) => b.version - a.version);
  const current = automation.data?.version;
  const open = items.find((v) => v.version === (shown ?? current));
  // A version is drawn from its own definition only (not mixed with the current one).
  const draft = open ? draftFromJson(open.definition) : null;
  return (
    <main id="main" className="page">
      <h1>{t('automations.versions.title', { name: automation.data?.name ?? '' })}</h1>
      <AutomationTabs id={automationId} />
      <p className="field-hint">{t('automations.versions.hint')}</p>
      {error ? <Alert>{automationProblems(error, language).message}</Alert> : null}
      {versions.isPending ? <Spinner label={t('common.loading')} /> : null}
      {versions.data && items.length === 0 ? <p>{t('automations.versions.none')}</p> : null}
      {items.length ? (
        <table className="table">
          <caption className="visually-hidden">{t('automations.versions')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('automations.versions')}</th>
              <th scope="col">{t('automations.versions.created')}</th>
              <th scope="col">{t('automations.versions.by')}</th>
              <th scope="col">{t('automations.trigger')}</th>
              <th scope="col"><span className="visually-hidden">{t('automations.edit')}</span></th>
            </tr>
          </thead>
          <tbody>
            {items.map((v) => (
              <tr key={v.version} aria-current={v.version === current ? 'true' : undefined}>
                <th scope="row">
                  {t('automations.version', { version: v.version })}{' '}
                  {v.version === current ? <span className="badge badge-ok">{t('automations.versions.current')}</span> : null}
                </th>
                <td>{v.created_at ? formatDateTime(v.created_at, language) : ''}</td>
                <td>{v.created_by ?? ''}</td>
                <td>{triggerSummary(t, v.definition.trigger as Record<string, unknown> | undefined)}</td>
                <td>
                  <Button aria-pressed={open?.version === v.version} onClick={() => setShown(v.version)}>
                    {t('automations.versions.show', { version: v.version })}
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {draft && open ? (
        <section aria-labelledby="version-flow">
          <h2 id="version-flow">{t('automations.version', { version: open.version })}</h2>
          <FlowView readOnly label={t('automations.builder.flow')} steps={draft.steps}
            triggerText={triggerSummary(t, draft.trigger)} conditionsText={rulesSummary(t, draft.conditions)} />
        </section>
      ) : null}
    </main>
  );
}
