/**
 * Live updates: a WebSocket (`${wsUrl}?token=&brand=`) whose frames become TanStack Query
 * invalidations; after every (re)connect a catch-up from the last cursor through
 * `GET /v1/changes?since=` read until `has_more` is false and once more a second later (the feed
 * only answers changes ≥ 1 s old, so some were still settling); polling `/v1/changes` while the socket is down; reconnect with
 * backoff. A 410 (cursor too old) invalidates everything of the brand. Nothing is lost across a
 * reconnect because the cursor only moves forward after a frame was applied.
 *
 * Query keys follow `['brand', brandId, <area>, ...]`; the mapping below names the areas.
 */
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import { getConfig } from './config';
import { getSession } from './session';
import { useAuth } from './auth';
import type { components } from './api/schema';

/** One frame of the socket and of `GET /v1/changes` (generated from openapi.json). */
export type ChangeFrame = components['schemas']['FrameOut'];
type ChangesPage = components['schemas']['ChangesOut'];
export type LiveStatus = 'connecting' | 'live' | 'polling' | 'stopped';

const POLL_MS = 3000;
const MAX_BACKOFF_MS = 30_000;
/** The feed holds back changes younger than this (docs/realtime.md): re-read once after it. */
const SETTLE_MS = 1100;

type Listener = (frame: ChangeFrame) => void;
const frameListeners = new Set<Listener>();

/** Subscribe to every applied frame (e.g. to announce new messages). */
export function onLiveFrame(listener: Listener): () => void {
  frameListeners.add(listener);
  return () => frameListeners.delete(listener);
}

/** Which cached queries a frame makes stale. */
export function invalidationsFor(brandId: string, frame: ChangeFrame): unknown[][] {
  const keys: unknown[][] = [];
  const base = ['brand', brandId];
  const type = frame.type;
  const conversationId = frame.conversation_id ?? (frame.entity_type === 'conversation' ? frame.entity_id : null);
  if (type.startsWith('conversation.') || type.startsWith('message.') || conversationId) {
    keys.push([...base, 'conversations', 'list'], [...base, 'conversations', 'counts']);
    if (conversationId) {
      keys.push(
        [...base, 'conversations', 'detail', conversationId],
        [...base, 'conversations', 'messages', conversationId],
        [...base, 'conversations', 'history', conversationId],
        [...base, 'conversations', 'notes', conversationId],
      );
    }
  }
  if (type.startsWith('notification.') || type.startsWith('conversation.assigned') || type.startsWith('note.')) {
    keys.push([...base, 'notifications']);
  }
  if (type.startsWith('agent.') || type.startsWith('presence.')) keys.push([...base, 'agents']);
  if (frame.entity_type && !['conversation', 'message', 'notification'].includes(frame.entity_type)) {
    // contacts, deals, tasks, imports…: their areas key on the entity type's plural
    keys.push([...base, `${frame.entity_type}s`], [...base, frame.entity_type]);
  }
  return keys;
}

export interface LiveClientOptions {
  brandId: string;
  queryClient: QueryClient;
  wsUrl: string | null;
  apiUrl: string;
  token: () => string | null;
  fetcher?: typeof fetch;
  WebSocketImpl?: typeof WebSocket;
}

export class LiveClient {
  status: LiveStatus = 'connecting';
  private cursor: string | null = null;
  private socket: WebSocket | null = null;
  private pollTimer: ReturnType<typeof setTimeout> | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private settleTimer: ReturnType<typeof setTimeout> | null = null;
  private attempts = 0;
  private stopped = false;
  private catchingUp: Promise<void> | null = null;
  private changesMissing = false;
  private readonly statusListeners = new Set<() => void>();
  private readonly seen = new Set<string>();

  constructor(private readonly options: LiveClientOptions) {}

  start(): void {
    void this.catchUp().finally(() => this.connect());
  }

  stop(): void {
    this.stopped = true;
    this.socket?.close();
    this.socket = null;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.setStatus('stopped');
  }

  onStatus(listener: () => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  private setStatus(status: LiveStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.statusListeners.forEach((l) => l());
  }

  private connect(): void {
    const { wsUrl, brandId, token } = this.options;
    const Impl = this.options.WebSocketImpl ?? (typeof WebSocket !== 'undefined' ? WebSocket : undefined);
    const idToken = token();
    if (this.stopped) return;
    if (!wsUrl || !Impl || !idToken) {
      this.startPolling();
      return;
    }
    this.setStatus('connecting');
    let socket: WebSocket;
    try {
      const url = `${wsUrl}${wsUrl.includes('?') ? '&' : '?'}token=${encodeURIComponent(idToken)}&brand=${encodeURIComponent(brandId)}`;
      socket = new Impl(url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.attempts = 0;
      this.stopPolling();
      this.setStatus('live');
      // Frames sent while we were away; then once more after the feed's settling second.
      void this.catchUp().finally(() => this.scheduleSettleRead());
    };
    socket.onmessage = (event: MessageEvent) => {
      let frame: ChangeFrame | { type: string };
      try {
        frame = JSON.parse(String(event.data)) as ChangeFrame;
      } catch {
        return;
      }
      if (frame.type === 'ping' || !('cursor' in frame)) return;
      this.apply([frame]);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (!this.stopped) {
        this.startPolling();
        this.scheduleReconnect();
      }
    };
    socket.onerror = () => socket.close();
  }

  private scheduleSettleRead(): void {
    if (this.stopped) return;
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => {
      this.settleTimer = null;
      void this.catchUp();
    }, SETTLE_MS);
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** this.attempts) * (0.5 + Math.random() / 2);
    this.attempts += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private startPolling(): void {
    if (this.stopped) return;
    this.setStatus('polling');
    if (this.pollTimer) return;
    const tick = () => {
      this.pollTimer = setTimeout(() => {
        void this.catchUp().finally(() => {
          if (this.pollTimer !== null && !this.stopped && this.status === 'polling') tick();
          else this.pollTimer = null;
        });
      }, POLL_MS);
    };
    tick();
  }

  private stopPolling(): void {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  /** Fetch every change after the cursor, page by page until `has_more` is false; one at a time. */
  catchUp(): Promise<void> {
    this.catchingUp ??= this.doCatchUp().finally(() => {
      this.catchingUp = null;
    });
    return this.catchingUp;
  }

  private async doCatchUp(): Promise<void> {
    const { apiUrl, brandId, token, queryClient } = this.options;
    const fetcher = this.options.fetcher ?? fetch;
    const base = apiUrl || (typeof window !== 'undefined' ? window.location.origin : '');
    // Pages follow their own cursor; `this.cursor` only moves forward (socket frames may be newer).
    let since = this.cursor;
    for (let page = 0; page < 50 && !this.stopped; page += 1) {
      const idToken = token();
      if (!idToken) return;
      const url = since ? `${base}/v1/changes?since=${encodeURIComponent(since)}` : `${base}/v1/changes`;
      let response: Response;
      try {
        response = await fetcher(url, { headers: { authorization: `Bearer ${idToken}`, 'x-tenant-id': brandId } });
      } catch {
        return;
      }
      if (response.status === 410) {
        // Too far behind: everything of the brand may be stale.
        this.cursor = since = null;
        await queryClient.invalidateQueries({ queryKey: ['brand', brandId] });
        continue;
      }
      if (response.status === 404 && !since) {
        // No changes feed on this API: refresh the lists coarsely instead.
        this.changesMissing = true;
        await queryClient.invalidateQueries({ queryKey: ['brand', brandId, 'conversations'] });
        await queryClient.invalidateQueries({ queryKey: ['brand', brandId, 'notifications'] });
        return;
      }
      if (!response.ok) return;
      const body = (await response.json()) as ChangesPage;
      const first = since === null && !this.changesMissing;
      this.apply(body.items);
      if (body.cursor) {
        since = body.cursor;
        if (!this.cursor || body.cursor > this.cursor) this.cursor = body.cursor;
      }
      if (first || !body.has_more) return;
    }
  }

  private apply(frames: ChangeFrame[]): void {
    const { brandId, queryClient } = this.options;
    const keys = new Map<string, unknown[]>();
    for (const frame of frames) {
      if (this.seen.has(frame.cursor)) continue; // the socket and the catch-up may both bring it
      this.seen.add(frame.cursor);
      if (this.seen.size > 2000) this.seen.clear();
      for (const key of invalidationsFor(brandId, frame)) keys.set(JSON.stringify(key), key);
      if (!this.cursor || frame.cursor > this.cursor) this.cursor = frame.cursor;
      frameListeners.forEach((listener) => listener(frame));
    }
    keys.forEach((queryKey) => void queryClient.invalidateQueries({ queryKey }));
  }
}

let active: LiveClient | null = null;
const statusSubscribers = new Set<() => void>();

function subscribeStatus(listener: () => void): () => void {
  statusSubscribers.add(listener);
  return () => statusSubscribers.delete(listener);
}

export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(subscribeStatus, () => active?.status ?? 'stopped', () => 'stopped');
}

/** Runs one live client for the signed-in brand; restarts it when the brand changes. */
export function useLiveUpdates(): void {
  const queryClient = useQueryClient();
  const { brandId, me } = useAuth();
  const ready = me !== null;
  useEffect(() => {
    if (!ready || !brandId) return;
    const config = getConfig();
    const client = new LiveClient({
      brandId,
      queryClient,
      wsUrl: config.wsUrl,
      apiUrl: config.apiUrl,
      token: () => getSession().tokens?.idToken ?? null,
    });
    active = client;
    const unsubscribe = client.onStatus(() => statusSubscribers.forEach((l) => l()));
    client.start();
    return () => {
      unsubscribe();
      client.stop();
      if (active === client) active = null;
    };
  }, [brandId, ready, queryClient]);
}
