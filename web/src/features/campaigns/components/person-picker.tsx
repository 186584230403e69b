/** Search people of the brand (GET /v1/contacts?q=) and pick one: for the audience and the sample. */
import { useState } from 'react';
import { Button, TextField } from '@/components/ui';
import { usePeople, type Person } from '@/features/crm/api';
import { useI18n } from '@/lib/i18n';

export function PersonPicker({ label, onPick, exclude = [] }: { label: string; onPick: (person: Person) => void; exclude?: string[] }) {
  const { t } = useI18n();
  const [draft, setDraft] = useState('');
  const [q, setQ] = useState('');
  const people = usePeople({ q }, null);
  const search = () => setQ(draft.trim());
  const found = q ? (people.data?.items ?? []).filter((p) => !exclude.includes(p.id)) : [];
  return (
    <div className="person-picker">
      {/* Not a <form>: the picker sits inside the editor's form. */}
      <div className="row" role="search">
        <TextField label={label} type="search" value={draft} onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              search();
            }
          }} />
        <Button onClick={search}>{t('common.search')}</Button>
      </div>
      {q && people.data && found.length === 0 ? <p className="muted small">{t('campaigns.people.none')}</p> : null}
      {found.length ? (
        <ul className="plain picker-results" aria-label={t('campaigns.people.results')}>
          {found.slice(0, 10).map((p) => (
            <li key={p.id}>
              <Button variant="ghost" onClick={() => onPick(p)}>
                {t('campaigns.people.pick', { name: p.name ?? p.id })}
              </Button>
              <span className="muted small">{[p.phone, p.email].filter(Boolean).join(' · ')}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
