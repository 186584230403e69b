/** Settings server state: keys under ['brand', id, 'settings', …]; a save updates or invalidates its key. */
import { useMutation, useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { brandKey, useBrandId } from '@/lib/auth';

export function useSettingsKey() {
  const brandId = useBrandId();
  return (...rest: unknown[]): QueryKey => brandKey(brandId, 'settings', ...rest);
}

export function useSettingsQuery<T>(name: string, fn: () => Promise<T>) {
  const key = useSettingsKey();
  return useQuery({ queryKey: key(name), queryFn: fn });
}

// The inbox caches some of the same things under its own keys (features/inbox/api/keys.ts).
const ALSO: Record<string, string> = {
  'close-reasons': 'close-reasons',
  'quick-replies': 'quick-replies',
  teams: 'teams',
  templates: 'whatsapp-templates',
  users: 'agents',
};

/** A mutation that refreshes the named settings queries (and the inbox's copies) when it succeeds. */
export function useSettingsMutation<A, R>(names: string[], fn: (arg: A) => Promise<R>) {
  const key = useSettingsKey();
  const brandId = useBrandId();
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => {
      for (const name of names) {
        void client.invalidateQueries({ queryKey: key(name) });
        const alias = ALSO[name];
        if (alias) void client.invalidateQueries({ queryKey: brandKey(brandId, alias) });
      }
    },
  });
}
