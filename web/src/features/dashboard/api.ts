/** Dashboard and reports server state: keys under ['brand', id, 'analytics', …]. The summary
 * refreshes itself every 15 s (and on focus), so it moves as conversations come and go. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { brandKey, useBrandId } from '@/lib/auth';

export const SUMMARY_REFRESH_MS = 15_000;

export type GroupBy = 'agent' | 'team' | 'channel' | 'close_reason';
export type NpsGroupBy = 'agent' | 'team' | 'channel' | 'account';

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

export interface NpsQuery {
  from: string;
  to: string;
  group_by?: NpsGroupBy;
}

export function useNpsReport(query: NpsQuery) {
  const brandId = useBrandId();
  return useQuery({
    queryKey: brandKey(brandId, 'analytics', 'nps', query),
    queryFn: () => unwrap(api.GET('/v1/reports/nps', { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

/** Saves CSV text as a file (the exports are fetched with the session: a bare link would carry no token). */
export function saveCsv(text: string, filename: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

export async function downloadConversationCsv(query: ReportQuery): Promise<void> {
  const text = (await unwrap(api.GET('/v1/reports/conversations/export', { params: { query }, parseAs: 'text' }))) as string;
  saveCsv(text, `conversations-${query.group_by ?? 'total'}-${query.from}-${query.to}.csv`);
}

export async function downloadNpsCsv(query: NpsQuery): Promise<void> {
  const text = (await unwrap(api.GET('/v1/reports/nps/export', { params: { query }, parseAs: 'text' }))) as string;
  saveCsv(text, `nps-${query.group_by ?? 'total'}-${query.from}-${query.to}.csv`);
}

/** A date as the reports' `from` / `to` (YYYY-MM-DD), `daysBack` days before today. */
export function reportDay(daysBack = 0): string {
  return new Date(Date.now() - daysBack * 86_400_000).toISOString().slice(0, 10);
}
