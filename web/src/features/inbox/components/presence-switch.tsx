import { useId } from 'react';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { formErrors } from '@/lib/errors';
import { useMyAgent, useSetPresence } from '../api/directory';
import type { Presence } from '../api/types';

const STATES: Presence[] = ['online', 'away', 'offline'];

/** Online / away / offline: only online agents get conversations automatically. */
export function PresenceSwitch() {
  const { t, language } = useI18n();
  const me = useMyAgent();
  const setPresence = useSetPresence();
  const name = useId();
  const current = me.data?.status ?? 'offline';
  const error = formErrors(setPresence.error, language).message;
  return (
    <fieldset className="presence">
      <legend>{t('presence.label')}</legend>
      {STATES.map((state) => (
        <label key={state} className={`presence-option presence-${state} ${current === state ? 'is-active' : ''}`}>
          <input type="radio" name={name} value={state} checked={current === state} disabled={setPresence.isPending || me.isPending}
            onChange={() => setPresence.mutate(state)} />
          {t(`presence.${state}` as MessageKey)}
        </label>
      ))}
      {error ? <p className="field-error" role="alert">{error}</p> : null}
    </fieldset>
  );
}
