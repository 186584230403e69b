/**
 * The signed-in session (tokens + selected brand), kept in localStorage so a reload keeps it.
 * A tiny store with subscribers: the API client reads it outside React, `useSession` inside.
 */
import { useSyncExternalStore } from 'react';

export interface Tokens {
  idToken: string;
  accessToken: string;
  refreshToken: string | null;
  /** epoch ms at which the id token expires */
  expiresAt: number;
}

export interface Session {
  tokens: Tokens | null;
  brandId: string | null;
}

const KEY = 'skailan.session';
const listeners = new Set<() => void>();

function read(): Session {
  try {
    const raw = localStorage.getItem(KEY);
    if (raw) return JSON.parse(raw) as Session;
  } catch {
    /* corrupted storage: start signed out */
  }
  return { tokens: null, brandId: null };
}

let state: Session = read();

export function getSession(): Session {
  return state;
}

export function setSession(next: Partial<Session>): void {
  state = { ...state, ...next };
  try {
    localStorage.setItem(KEY, JSON.stringify(state));
  } catch {
    /* private mode: the session lives in memory only */
  }
  listeners.forEach((listener) => listener());
}

export function clearSession(): void {
  setSession({ tokens: null, brandId: null });
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSession(): Session {
  return useSyncExternalStore(subscribe, getSession, getSession);
}

/** For tests: reload from storage. */
export function resetSessionFromStorage(): void {
  state = read();
}
