/**
 * i18n: a typed dictionary per language (src/locales), Spanish by default. `t('key', {name})`
 * replaces `{name}`; `t` is typed so an unknown key fails `tsc`.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en } from '@/locales/en';
import { es } from '@/locales/es';

export type Language = 'es' | 'en';
export type MessageKey = keyof typeof es;
export type Vars = Record<string, string | number>;
export type Translate = (key: MessageKey, vars?: Vars) => string;

export const LANGUAGES: readonly Language[] = ['es', 'en'];
const dictionaries: Record<Language, Record<MessageKey, string>> = { es, en };
const STORAGE_KEY = 'skailan.language';

export function translate(language: Language, key: MessageKey, vars?: Vars): string {
  const template = dictionaries[language][key] ?? es[key] ?? key;
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

function storedLanguage(): Language | null {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === 'es' || value === 'en' ? value : null;
  } catch {
    return null;
  }
}

interface I18nValue {
  language: Language;
  /** The user's explicit choice (remembered). */
  setLanguage: (language: Language) => void;
  /** The brand's language: used unless the user chose one. */
  setDefaultLanguage: (language: string | null | undefined) => void;
  t: Translate;
}

const I18nContext = createContext<I18nValue | null>(null);

export function I18nProvider({ children, initial }: { children: ReactNode; initial?: Language }) {
  const [chosen, setChosen] = useState<Language | null>(() => initial ?? storedLanguage());
  const [fallback, setFallback] = useState<Language>('es');
  const language = chosen ?? fallback;

  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);

  const setLanguage = useCallback((next: Language) => {
    setChosen(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      /* not remembered */
    }
  }, []);
  const setDefaultLanguage = useCallback((value: string | null | undefined) => {
    setFallback(value?.toLowerCase().startsWith('en') ? 'en' : 'es');
  }, []);
  const t = useCallback<Translate>((key, vars) => translate(language, key, vars), [language]);
  const value = useMemo(
    () => ({ language, setLanguage, setDefaultLanguage, t }),
    [language, setLanguage, setDefaultLanguage, t],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18nValue {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}

export function useT(): Translate {
  return useI18n().t;
}
