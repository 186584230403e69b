/** The campaigns feature's public surface: its route entries. */
export { campaignRoutes } from './routes';
