import { Navigate } from 'react-router';
import { useAuth } from '@/lib/auth';
import { NAV_ITEMS } from '../nav';

/** `/`: the first screen the person may use. */
export function HomeRoute() {
  const { can } = useAuth();
  const first = NAV_ITEMS.find((item) => can(item.permission));
  return <Navigate to={first?.to ?? '/inbox'} replace />;
}
