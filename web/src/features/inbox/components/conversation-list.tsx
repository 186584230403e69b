import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { Alert, Button, Spinner } from '@/components/ui';
import { ApiError } from '@/lib/api-client';
import { useAuth } from '@/lib/auth';
import { useI18n } from '@/lib/i18n';
import { useConversationList, useTabCounts } from '../api/conversations';
import { useAgents, useTeams } from '../api/directory';
import { useInboxFilters, type InboxTab } from '../filters';
import { ConversationRow } from './conversation-row';
import { InboxFiltersForm } from './inbox-filters';
import { useNow } from './use-now';

const NOT_TEXT = new Set(['radio', 'checkbox', 'button', 'submit', 'reset']);

function isTyping(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  if (!element) return false;
  if (element instanceof HTMLInputElement) return !NOT_TEXT.has(element.type);
  return element.isContentEditable || ['TEXTAREA', 'SELECT'].includes(element.tagName);
}

/** j / k move between conversations anywhere in the inbox (not while typing); Enter opens. */
export function useListKeyboard(listRef: React.RefObject<HTMLElement | null>) {
  useEffect(() => {
    function onKey(event: globalThis.KeyboardEvent) {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || isTyping(event.target)) return;
      if (event.key !== 'j' && event.key !== 'k') return;
      const links = Array.from(listRef.current?.querySelectorAll<HTMLAnchorElement>('a[data-conversation-row]') ?? []);
      if (!links.length) return;
      const current = links.indexOf(document.activeElement as HTMLAnchorElement);
      const selected = links.findIndex((a) => a.getAttribute('aria-current') === 'page');
      const from = current >= 0 ? current : selected;
      const next = event.key === 'j' ? Math.min(links.length - 1, from + 1) : Math.max(0, from < 0 ? 0 : from - 1);
      links[next]?.focus();
      event.preventDefault();
    }
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [listRef]);
}

export function ConversationList() {
  const { t, language } = useI18n();
  const { can } = useAuth();
  const canSeeAll = can('conversations:manage');
  const { filters, update, clear } = useInboxFilters(canSeeAll);
  const list = useConversationList(filters);
  const counts = useTabCounts(filters.status);
  const teams = useTeams();
  const agents = useAgents();
  const now = useNow();
  const listRef = useRef<HTMLUListElement>(null);
  const [showFilters, setShowFilters] = useState(false);
  const [search, setSearch] = useState(filters.q);
  const filtersId = useId();
  const headingId = useId();
  useListKeyboard(listRef);
  const [shownQ, setShownQ] = useState(filters.q);
  if (shownQ !== filters.q) {
    // the URL changed the search (back button, clear): show it in the box
    setShownQ(filters.q);
    setSearch(filters.q);
  }

  const tabs: InboxTab[] = canSeeAll ? ['mine', 'unassigned', 'all'] : ['mine', 'unassigned'];
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];

  function onTabKey(event: KeyboardEvent<HTMLButtonElement>, index: number) {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const next = tabs[(index + (event.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
    if (next) {
      update({ tab: next });
      (event.currentTarget.parentElement?.querySelector(`[data-tab="${next}"]`) as HTMLElement | null)?.focus();
    }
  }

  return (
    <section className="pane pane-list" aria-labelledby={headingId}>
      <h2 id={headingId} className="visually-hidden">{t('inbox.list')}</h2>
      <div role="tablist" aria-label={t('inbox.tabs')} className="tabs">
        {tabs.map((tab, index) => (
          <button
            key={tab}
            type="button"
            role="tab"
            data-tab={tab}
            aria-selected={filters.tab === tab}
            tabIndex={filters.tab === tab ? 0 : -1}
            onClick={() => update({ tab })}
            onKeyDown={(e) => onTabKey(e, index)}
          >
            {t(`inbox.tab.${tab}`)}
            {counts.data && typeof counts.data[tab] === 'number' ? <span className="tab-count"> ({counts.data[tab]})</span> : null}
          </button>
        ))}
      </div>
      <form
        role="search"
        className="inbox-search"
        onSubmit={(e) => {
          e.preventDefault();
          update({ q: search.trim() });
        }}
      >
        <label htmlFor={`${filtersId}-q`} className="visually-hidden">{t('inbox.search')}</label>
        <input id={`${filtersId}-q`} type="search" placeholder={t('inbox.search')} title={t('inbox.searchHint')} value={search}
          onChange={(e) => {
            setSearch(e.target.value);
            if (!e.target.value) update({ q: '' });
          }} />
        <Button type="submit">{t('common.search')}</Button>
        <Button aria-expanded={showFilters} aria-controls={filtersId} onClick={() => setShowFilters((v) => !v)}>
          {t('inbox.filters')}
        </Button>
      </form>
      <div id={filtersId} hidden={!showFilters}>
        {showFilters ? (
          <InboxFiltersForm filters={filters} onChange={update} onClear={clear} teams={teams.data ?? []} agents={agents.data ?? []}
            showAssignee={canSeeAll && filters.tab === 'all'} />
        ) : null}
      </div>
      <p className="visually-hidden">{t('inbox.keyboardHint')}</p>
      {list.isPending ? <Spinner label={t('common.loading')} /> : null}
      {list.isError ? (
        <Alert>{list.error instanceof ApiError ? list.error.messageIn(language) : t('app.error')}</Alert>
      ) : null}
      {list.isSuccess && items.length === 0 ? <p className="muted empty">{t('inbox.empty')}</p> : null}
      <ul ref={listRef} className="conversation-list" aria-label={t('inbox.list')}>
        {items.map((conversation) => (
          <ConversationRow key={conversation.id} conversation={conversation} now={now} />
        ))}
      </ul>
      {list.hasNextPage ? (
        <Button onClick={() => void list.fetchNextPage()} busy={list.isFetchingNextPage}>{t('common.more')}</Button>
      ) : null}
    </section>
  );
}
