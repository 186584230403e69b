/** Previous / next over an API's opaque cursors: `cursors` holds the cursor of every page seen so
 * far (the first page's is null); the buttons that apply step back or on. */
import { Button } from '@/components/ui';
import { useT } from '@/lib/i18n';

export function Pager({ cursors, setCursors, nextCursor }: {
  cursors: (string | null)[];
  setCursors: (next: (string | null)[]) => void;
  nextCursor: string | null | undefined;
}) {
  const t = useT();
  return (
    <div className="row">
      {cursors.length > 1 ? <Button onClick={() => setCursors(cursors.slice(0, -1))}>{t('common.previous')}</Button> : null}
      {nextCursor ? <Button onClick={() => setCursors([...cursors, nextCursor])}>{t('common.next')}</Button> : null}
    </div>
  );
}
