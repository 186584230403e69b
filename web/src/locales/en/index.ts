import type { es } from '../es';
import { auth } from './auth';
import { common } from './common';
import { inbox } from './inbox';

// Typed against Spanish: a missing English string fails `tsc`.
export const en: Record<keyof typeof es, string> = { ...common, ...auth, ...inbox };
