/**
 * Who is signed in, in which brand, with which permissions (`/v1/me`).
 *
 * The brand travels as `X-Tenant-Id` (the API's brand selector). A person in one brand needs no
 * header; a person in several gets `tenant_required` and picks one (`BrandPicker`). Switching
 * brand clears the whole query cache, so no screen can show the previous brand's data.
 */
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useMemo, type ReactNode } from 'react';
import type { components } from './api/schema';
import { api, ApiError, tokensFrom, unwrap } from './api-client';
import { clearSession, getSession, setSession, useSession } from './session';

export type Me = components['schemas']['MeOut'];
export type BrandMembership = components['schemas']['BrandMembershipOut'];

/** Every query key starts with the brand: `['brand', brandId, ...rest]`. */
export function brandKey(brandId: string | null, ...rest: unknown[]): unknown[] {
  return ['brand', brandId ?? '-', ...rest];
}

export function can(permissions: readonly string[] | undefined, needed: string): boolean {
  if (!permissions) return false;
  const [module, level] = needed.split(':');
  const levels = ['view', 'edit', 'manage'];
  const from = levels.indexOf(level ?? 'view');
  return levels.slice(from).some((l) => permissions.includes(`${module}:${l}`));
}

export type MeState =
  | { status: 'signed-out' }
  | { status: 'loading' }
  | { status: 'choose-brand'; brands: BrandMembership[] }
  | { status: 'ready'; me: Me }
  | { status: 'error'; error: Error };

async function fetchMe(brandId: string | null): Promise<{ me: Me } | { choose: BrandMembership[] }> {
  const headers = brandId ? { 'x-tenant-id': brandId } : undefined;
  try {
    return { me: await unwrap(api.GET('/v1/me', { headers })) };
  } catch (error) {
    if (error instanceof ApiError && error.code === 'tenant_required') {
      // Several brands: ask /v1/me in the first one for every brand's name, then let them choose.
      const ids = ((error.details as { brands?: string[] } | null)?.brands ?? []).filter(Boolean);
      if (ids[0]) {
        const first = await unwrap(api.GET('/v1/me', { headers: { 'x-tenant-id': ids[0] } }));
        return { choose: first.brands };
      }
    }
    if (error instanceof ApiError && error.code === 'brand_not_found' && brandId) {
      setSession({ brandId: null }); // a brand they left: choose again
    }
    throw error;
  }
}

interface AuthValue {
  state: MeState;
  me: Me | null;
  brandId: string | null;
  can: (permission: string) => boolean;
  signIn: (email: string, password: string) => Promise<void>;
  signInWithTokens: (tokens: Parameters<typeof tokensFrom>[0]) => void;
  chooseBrand: (brandId: string) => void;
  signOut: () => Promise<void>;
}

const AuthContext = createContext<AuthValue | null>(null);

export function switchBrand(queryClient: QueryClient, brandId: string | null): void {
  queryClient.clear(); // nothing of the previous brand survives
  setSession({ brandId });
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const signedIn = session.tokens !== null;
  const query = useQuery({
    queryKey: brandKey(session.brandId, 'me'),
    queryFn: () => fetchMe(session.brandId),
    enabled: signedIn,
    staleTime: 5 * 60_000,
    retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
  });

  let state: MeState;
  if (!signedIn) state = { status: 'signed-out' };
  else if (query.isPending) state = { status: 'loading' };
  else if (query.isError) state = { status: 'error', error: query.error };
  else if ('choose' in query.data) state = { status: 'choose-brand', brands: query.data.choose };
  else state = { status: 'ready', me: query.data.me };
  const me = state.status === 'ready' ? state.me : null;

  const signInWithTokens = useCallback<AuthValue['signInWithTokens']>(
    (out) => {
      queryClient.clear();
      setSession({ tokens: tokensFrom(out), brandId: null });
    },
    [queryClient],
  );

  const signIn = useCallback<AuthValue['signIn']>(
    async (email, password) => {
      const out = await unwrap(api.POST('/v1/auth/login', { body: { email, password } }));
      signInWithTokens(out);
    },
    [signInWithTokens],
  );

  const chooseBrand = useCallback((brandId: string) => switchBrand(queryClient, brandId), [queryClient]);

  const signOut = useCallback(async () => {
    const refreshToken = getSession().tokens?.refreshToken;
    if (refreshToken) {
      // Revokes the refresh token server-side; local state goes even if the API is unreachable.
      await api.POST('/v1/auth/logout', { body: { refresh_token: refreshToken, everywhere: false } }).catch(() => undefined);
    }
    queryClient.clear();
    clearSession();
  }, [queryClient]);

  const value = useMemo<AuthValue>(
    () => ({
      state,
      me,
      brandId: me?.brand.id ?? session.brandId,
      can: (permission: string) => can(me?.permissions, permission),
      signIn,
      signInWithTokens,
      chooseBrand,
      signOut,
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- state is derived from these
    [query.data, query.status, session.brandId, signedIn, signIn, signInWithTokens, chooseBrand, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}

/** The brand id for query keys (null before /v1/me answers). */
export function useBrandId(): string | null {
  return useAuth().brandId;
}
