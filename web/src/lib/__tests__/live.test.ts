import { QueryClient } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { invalidationsFor, LiveClient, type ChangeFrame } from '../live';
import { json } from '@/testing/http';

function frame(cursor: string, type: string, conversationId: string | null = 'c1'): ChangeFrame {
  return { cursor, type, entity_type: 'conversation', entity_id: conversationId, conversation_id: conversationId, data: {} };
}

class FakeSocket {
  static last: FakeSocket | null = null;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  close() {
    this.onclose?.();
  }
}

describe('live updates', () => {
  afterEach(() => vi.useRealTimers());

  it('maps a frame to the brand-scoped queries it makes stale', () => {
    const keys = invalidationsFor('demo', frame('1', 'message.received'));
    expect(keys).toContainEqual(['brand', 'demo', 'conversations', 'list']);
    expect(keys).toContainEqual(['brand', 'demo', 'conversations', 'messages', 'c1']);
    expect(keys.every((k) => k[0] === 'brand' && k[1] === 'demo')).toBe(true);
    expect(invalidationsFor('demo', { ...frame('2', 'notification.created', null), entity_type: 'notification' })).toContainEqual(['brand', 'demo', 'notifications']);
  });

  it('connects with token and brand, catches up from the cursor after a reconnect, ignores pings and duplicates', async () => {
    const queryClient = new QueryClient();
    const invalidate = vi.spyOn(queryClient, 'invalidateQueries');
    const urls: string[] = [];
    const fetcher = vi.fn(async (url: string | URL | Request) => {
      urls.push(String(url));
      if (!String(url).includes('since=')) return json(200, { items: [], cursor: '100' });
      const since = new URL(String(url)).searchParams.get('since');
      return since === '105' ? json(200, { items: [frame('107', 'conversation.assigned', 'c9')], cursor: '107' }) : json(200, { items: [], cursor: since });
    });
    const client = new LiveClient({
      brandId: 'demo', queryClient, wsUrl: 'ws://127.0.0.1:9', apiUrl: 'http://api', token: () => 'tok',
      fetcher: fetcher as typeof fetch, WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
    });
    client.start();
    await vi.waitFor(() => expect(FakeSocket.last).not.toBeNull());
    const socket = FakeSocket.last as FakeSocket;
    expect(socket.url).toBe('ws://127.0.0.1:9?token=tok&brand=demo');
    socket.onopen?.();
    expect(client.status).toBe('live');
    socket.onmessage?.({ data: JSON.stringify({ type: 'ping' }) });
    socket.onmessage?.({ data: JSON.stringify(frame('105', 'message.received', 'c1')) });
    socket.onmessage?.({ data: JSON.stringify(frame('105', 'message.received', 'c1')) });
    const messageCalls = invalidate.mock.calls.filter(([f]) => JSON.stringify(f?.queryKey) === JSON.stringify(['brand', 'demo', 'conversations', 'messages', 'c1']));
    expect(messageCalls).toHaveLength(1);

    // The socket drops: polling starts from the last cursor and brings what was missed.
    socket.close();
    expect(client.status).toBe('polling');
    await client.catchUp(); // the one already in flight (since the connect)
    await client.catchUp();
    expect(urls, JSON.stringify(urls)).toContain('http://api/v1/changes?since=105');
    expect(invalidate).toHaveBeenCalledWith({ queryKey: ['brand', 'demo', 'conversations', 'detail', 'c9'] });
    client.stop();
  });

  it('410 (too far behind) invalidates everything of the brand', async () => {
    const queryClient = new QueryClient();
    const invalidate = vi.spyOn(queryClient, 'invalidateQueries');
    let calls = 0;
    const fetcher = vi.fn(async () => (++calls === 1 ? json(200, { items: [], cursor: '5' }) : calls === 2 ? json(410, {}) : json(200, { items: [], cursor: '9' })));
    const client = new LiveClient({ brandId: 'acme', queryClient, wsUrl: null, apiUrl: 'http://api', token: () => 't', fetcher: fetcher as typeof fetch });
    await client.catchUp();
    await client.catchUp();
    expect(invalidate).toHaveBeenCalledWith({ queryKey: ['brand', 'acme'] });
    client.stop();
  });

  it('after a reconnect reads the feed until has_more is false, then once more a second later', async () => {
    const queryClient = new QueryClient();
    const urls: string[] = [];
    let settled = false;
    const fetcher = vi.fn(async (url: string | URL | Request) => {
      urls.push(String(url));
      const since = new URL(String(url)).searchParams.get('since');
      if (!since) return json(200, { items: [], cursor: '100', has_more: false });
      if (since === '100') return json(200, { items: [frame('101', 'message.received')], cursor: '101', has_more: true });
      if (since === '101') return json(200, { items: [frame('102', 'message.received')], cursor: '102', has_more: false });
      // The change that was still settling (< 1 s old) during the first read.
      if (since === '102' && !settled) {
        settled = true;
        return json(200, { items: [frame('103', 'conversation.assigned', 'c7')], cursor: '103', has_more: false });
      }
      return json(200, { items: [], cursor: since, has_more: false });
    });
    const client = new LiveClient({
      brandId: 'demo', queryClient, wsUrl: 'ws://127.0.0.1:9', apiUrl: 'http://api', token: () => 'tok',
      fetcher: fetcher as typeof fetch, WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
    });
    FakeSocket.last = null;
    client.start();
    await vi.waitFor(() => expect(FakeSocket.last).not.toBeNull());
    (FakeSocket.last as FakeSocket | null)?.onopen?.();
    await vi.waitFor(() => expect(urls).toContain('http://api/v1/changes?since=101'));
    expect(urls).not.toContain('http://api/v1/changes?since=102');
    await vi.waitFor(() => expect(urls).toContain('http://api/v1/changes?since=102'), { timeout: 3000 });
    await vi.waitFor(() => expect(settled).toBe(true));
    client.stop();
  });
});
