import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { brandKey, can, switchBrand } from '../auth';
import { getSession, setSession } from '../session';

describe('brand and permissions', () => {
  it('switching brand drops every cached query of the previous brand', () => {
    const queryClient = new QueryClient();
    queryClient.setQueryData(brandKey('demo', 'conversations', 'list', {}), { items: [{ id: 'secret' }] });
    queryClient.setQueryData(brandKey('demo', 'me'), { id: 'u1' });
    setSession({ tokens: { idToken: 'i', accessToken: 'a', refreshToken: 'r', expiresAt: 0 }, brandId: 'demo' });

    switchBrand(queryClient, 'acme');

    expect(queryClient.getQueryCache().getAll()).toHaveLength(0);
    expect(getSession().brandId).toBe('acme');
    expect(getSession().tokens?.idToken).toBe('i');
  });

  it('query keys start with the brand', () => {
    expect(brandKey('demo', 'conversations')).toEqual(['brand', 'demo', 'conversations']);
    expect(brandKey(null, 'me')).toEqual(['brand', '-', 'me']);
  });

  it('a level implies the ones below it, never another module', () => {
    const agent = ['contacts:view', 'conversations:view', 'conversations:edit'];
    expect(can(agent, 'conversations:view')).toBe(true);
    expect(can(agent, 'conversations:manage')).toBe(false);
    expect(can(agent, 'admin:view')).toBe(false);
    expect(can(['admin:manage'], 'admin:view')).toBe(true);
  });
});
