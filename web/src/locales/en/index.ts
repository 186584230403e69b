import type { es } from '../es';
import { auth } from './auth';
import { automations } from './automations';
import { campaigns } from './campaigns';
import { common } from './common';
import { crm } from './crm';
import { dashboard } from './dashboard';
import { inbox } from './inbox';
import { kam } from './kam';
import { leads } from './leads';
import { profile } from './profile';
import { settings } from './settings';
import { usage } from './usage';

// Typed against Spanish: a missing English string fails `tsc`.
export const en: Record<keyof typeof es, string> = {
  ...common,
  ...auth,
  ...inbox,
  ...crm,
  ...settings,
  ...profile,
  ...leads,
  ...automations,
  ...campaigns,
  ...dashboard,
  ...usage,
  ...kam,
};
