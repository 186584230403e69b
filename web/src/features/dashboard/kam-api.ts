/** KAM report and per-user dashboard layout server state (keys under ['brand', id, 'analytics', …]). */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { brandKey, useBrandId } from '@/lib/auth';
import type { components } from '@/lib/api/schema';
import { saveCsv } from './api';

export type KamReport = components['schemas']['KamReportOut'];
export type KamAccount = components['schemas']['KamAccount'];
export type DashboardLayout = components['schemas']['LayoutOut'];
export type WidgetIn = components['schemas']['WidgetIn'];

export interface KamQuery {
  from: string;
  to: string;
}

export function useKamReport(query: KamQuery) {
  const brandId = useBrandId();
  return useQuery({
    queryKey: brandKey(brandId, 'analytics', 'kam', query),
    queryFn: () => unwrap(api.GET('/v1/reports/kam', { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

/** The KAM report as CSV, fetched with the session and saved as a file. */
export async function downloadKamCsv(query: KamQuery): Promise<void> {
  const text = (await unwrap(api.GET('/v1/reports/kam/export', { params: { query }, parseAs: 'text' }))) as string;
  saveCsv(text, `kam-${query.from}-${query.to}.csv`);
}

export function useDashboardLayout() {
  const brandId = useBrandId();
  return useQuery({
    queryKey: brandKey(brandId, 'analytics', 'layout'),
    queryFn: () => unwrap(api.GET('/v1/me/dashboard-layout')),
  });
}

export function useSaveDashboardLayout() {
  const brandId = useBrandId();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (widgets: WidgetIn[]) => unwrap(api.PUT('/v1/me/dashboard-layout', { body: { widgets } })),
    onSuccess: (saved) => client.setQueryData(brandKey(brandId, 'analytics', 'layout'), saved),
  });
}
