/** The lead flow's public surface: its route entries (queue, note templates, reports, settings). */
export { leadsRoutes } from './routes';
