// Spanish is the source of truth: every key lives here first. One module per product area, so
// areas add their strings without touching each other's files.
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

export const es = {
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
} as const;
