import { Route, Router } from '@solidjs/router';
import { AccountPage } from './pages/account/AccountPage.tsx';
import { ForgotPasswordPage, ResetPasswordPage, VerifyEmailPage } from './pages/account/EmailLinkPages.tsx';
import { LogInPage } from './pages/account/LogInPage.tsx';
import { SessionProvider } from './pages/account/session.tsx';
import { SignUpPage } from './pages/account/SignUpPage.tsx';
import { AdminAuditPage, AdminOutboxPage } from './pages/admin/AdminLogPages.tsx';
import { AdminUsersPage } from './pages/admin/AdminUsersPage.tsx';
import { EventsPage } from './pages/EventsPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { OrganizePage } from './pages/OrganizePage.tsx';
import { TicketsPage } from './pages/TicketsPage.tsx';
import { CheckinPage } from './pages/organize/checkin/CheckinPage.tsx';
import { ScannerPage } from './pages/scanner/ScannerPage.tsx';
import { FirstRunPage } from './setup/FirstRunPage.tsx';
import { SetupProvider } from './setup/setup-context.tsx';
import { AppShell } from './shell/AppShell.tsx';
import { RealtimeProvider } from './shell/realtime-context.tsx';
import { ThemeProvider } from './shell/theme.tsx';

/** Every page of the app; features add their routes here. */
export function App() {
  return (
    <ThemeProvider>
      <SetupProvider>
        <RealtimeProvider>
          <SessionProvider>
            <Router root={AppShell}>
              <Route path="/" component={EventsPage} />
              <Route path="/events" component={EventsPage} />
              <Route path="/tickets" component={TicketsPage} />
              <Route path="/organize" component={OrganizePage} />
              <Route path="/admin" component={AdminUsersPage} />
              <Route path="/admin/audit" component={AdminAuditPage} />
              <Route path="/admin/outbox" component={AdminOutboxPage} />
              <Route path="/log-in" component={LogInPage} />
              <Route path="/sign-up" component={SignUpPage} />
              <Route path="/verify-email" component={VerifyEmailPage} />
              <Route path="/forgot-password" component={ForgotPasswordPage} />
              <Route path="/reset-password" component={ResetPasswordPage} />
              <Route path="/account" component={AccountPage} />
              <Route path="/organize/events/:id/checkin" component={CheckinPage} />
              <Route path="/scan/:listId" component={ScannerPage} />
              <Route path="/setup" component={FirstRunPage} />
              <Route path="*404" component={NotFoundPage} />
            </Router>
          </SessionProvider>
        </RealtimeProvider>
      </SetupProvider>
    </ThemeProvider>
  );
}
