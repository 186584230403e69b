/** The automations feature's public surface: its route entries. */
export { automationRoutes } from './routes';
