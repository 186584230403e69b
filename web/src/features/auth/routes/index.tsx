import type { RouteObject } from 'react-router';
import { AcceptInvitationRoute } from './accept-invitation';
import { ForgotPasswordRoute } from './forgot-password';
import { ResetPasswordRoute } from './reset-password';
import { SignInRoute } from './sign-in';

/** Public routes; `/accept-invitation` and `/reset-password` are the e-mails' link targets. */
export const authRoutes: RouteObject[] = [
  { path: '/sign-in', element: <SignInRoute /> },
  { path: '/forgot-password', element: <ForgotPasswordRoute /> },
  { path: '/reset-password', element: <ResetPasswordRoute /> },
  { path: '/accept-invitation', element: <AcceptInvitationRoute /> },
];
