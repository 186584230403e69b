/** "Descargar CSV" for a report: the export is fetched with the session and saved as a file; the
 * button shows it is busy, and the API's message shows below it when the export fails. */
import { useState } from 'react';
import { Alert, Button } from '@/components/ui';
import { problemsOf } from '@/features/crm/lib/errors';
import { useI18n } from '@/lib/i18n';

export function CsvDownload({ download }: { download: () => Promise<void> }) {
  const { t, language } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      await download();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <p><Button onClick={() => void run()} busy={busy}>{t('kam.downloadCsv')}</Button></p>
      {error ? <Alert>{problemsOf(error, language).message}</Alert> : null}
    </>
  );
}
