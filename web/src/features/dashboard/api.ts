/** Dashboard and reports server state: keys under ['brand', id, 'analytics', …]. The summary
 * refreshes itself every 15 s (and on focus), so it moves as conversations come and go. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { brandKey, useBrandId } from '@/lib/auth';

export const SUMMARY_REFRESH_MS = 15_000;

export type GroupBy = 'agent' | 'team' | 'channel' | 'close_reason';

export interface ReportQuery {
  from: string;
  to: string;
  group_by?: GroupBy;
  business_hours: boolean;
}

export function useSummary() {
  const brandId = useBrandId();
  return useQuery({
    queryKey: brandKey(brandId, 'analytics', 'summary'),
    queryFn: () => unwrap(api.GET('/v1/dashboard/summary')),
    refetchInterval: SUMMARY_REFRESH_MS,
  });
}

export function useConversationReport(query: ReportQuery) {
  const brandId = useBrandId();
  return useQuery({
    queryKey: brandKey(brandId, 'analytics', 'conversations', query),
    queryFn: () => unwrap(api.GET('/v1/reports/conversations', { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

/** The API's bilingual text ("Español. / English.") in the reader's language. */
export function inLanguage(text: string, language: 'es' | 'en'): string {
  const [es, en] = text.split(' / ');
  return (language === 'en' ? en : es) ?? text;
}
