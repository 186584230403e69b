import { useT } from '@/lib/i18n';

export function InboxRoute() {
  const t = useT();
  return (
    <main id="main" className="page">
      <h1>{t('inbox.title')}</h1>
    </main>
  );
}
