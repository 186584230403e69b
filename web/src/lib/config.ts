/** Runtime configuration, read from `/config.json` at boot (served beside the app). */
export interface AppConfig {
  /** API origin; "" means the same origin as the app. */
  apiUrl: string;
  /** WebSocket URL for live updates; null means poll `/v1/changes` only. */
  wsUrl: string | null;
}

const FALLBACK: AppConfig = { apiUrl: '', wsUrl: null };
let current: AppConfig = FALLBACK;

export function getConfig(): AppConfig {
  return current;
}

export function setConfig(config: AppConfig): void {
  current = config;
}

export async function loadConfig(fetcher: typeof fetch = fetch): Promise<AppConfig> {
  try {
    const response = await fetcher('/config.json', { headers: { accept: 'application/json' } });
    if (!response.ok) return (current = FALLBACK);
    const body = (await response.json()) as Partial<AppConfig>;
    current = {
      apiUrl: typeof body.apiUrl === 'string' ? body.apiUrl.replace(/\/$/, '') : '',
      wsUrl: typeof body.wsUrl === 'string' && body.wsUrl ? body.wsUrl : null,
    };
  } catch {
    current = FALLBACK; // no config route (or not JSON): same-origin API, polling only
  }
  return current;
}
