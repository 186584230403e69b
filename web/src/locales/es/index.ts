// Spanish is the source of truth: every key lives here first. One module per product area, so
// areas add their strings without touching each other's files.
import { auth } from './auth';
import { common } from './common';
import { inbox } from './inbox';

export const es = { ...common, ...auth, ...inbox } as const;
