/** Usage and WhatsApp credits server state: keys under ['brand', id, 'usage', …]. A save or a
 * top-up refreshes the credits, the ledger and the dashboard (its credit alerts). */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { brandKey, useBrandId } from '@/lib/auth';

export interface AutoTopUpPatch {
  enabled?: boolean;
  minimum?: number;
  amount?: number;
}

export function useUsage(month: string) {
  const brandId = useBrandId();
  return useQuery({
    queryKey: brandKey(brandId, 'usage', 'month', month),
    queryFn: () => unwrap(api.GET('/v1/usage', { params: { query: { month } } })),
    placeholderData: keepPreviousData,
    refetchInterval: 15_000, // messages keep arriving: the page follows them like the dashboard
  });
}

export function useCredits() {
  const brandId = useBrandId();
  return useQuery({
    queryKey: brandKey(brandId, 'usage', 'credits'),
    queryFn: () => unwrap(api.GET('/v1/credits')),
    refetchInterval: 15_000,
  });
}

export function useLedger() {
  const brandId = useBrandId();
  return useQuery({
    queryKey: brandKey(brandId, 'usage', 'ledger'),
    queryFn: () => unwrap(api.GET('/v1/credits/ledger', { params: { query: { limit: 25 } } })),
    refetchInterval: 15_000,
  });
}

function useRefresh() {
  const brandId = useBrandId();
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: brandKey(brandId, 'usage') });
    void client.invalidateQueries({ queryKey: brandKey(brandId, 'analytics') });
  };
}

export function useSaveAutoTopUp() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (autoTopUp: AutoTopUpPatch) =>
      unwrap(api.PATCH('/v1/credits/settings', { body: { auto_topup: autoTopUp } })),
    onSuccess: refresh,
  });
}

export function useTopUp() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (body: { amount: number; note?: string; reference?: string }) =>
      unwrap(api.POST('/v1/credits/top-ups', { body })),
    onSuccess: refresh,
  });
}

/** The month's usage as CSV, fetched with the session (a bare link would carry no token). */
export async function downloadUsageCsv(month: string): Promise<void> {
  const text = (await unwrap(api.GET('/v1/usage/export', { params: { query: { month } }, parseAs: 'text' }))) as string;
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `usage-${month}.csv`;
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}
