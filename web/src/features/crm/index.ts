/** The CRM feature's public surface: the person panel (for the inbox) and the route entries. */
export { PersonPanel } from './components/person-panel';
export { crmRoutes } from './routes';
