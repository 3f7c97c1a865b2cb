import { Route, Router } from '@solidjs/router';
import { lazy } from 'solid-js';
import { AccountPage } from './pages/account/AccountPage.tsx';
import { ForgotPasswordPage, ResetPasswordPage, VerifyEmailPage } from './pages/account/EmailLinkPages.tsx';
import { LogInPage } from './pages/account/LogInPage.tsx';
import { SessionProvider } from './pages/account/session.tsx';
import { SignUpPage } from './pages/account/SignUpPage.tsx';
import { AdminAuditPage, AdminOutboxPage } from './pages/admin/AdminLogPages.tsx';
import { AdminUsersPage } from './pages/admin/AdminUsersPage.tsx';
import { AdminJobsPage } from './pages/admin/AdminJobsPage.tsx';
import { InboxProvider } from './notifications/inbox-context.tsx';
import { InboxPage } from './notifications/InboxPage.tsx';
import { UnsubscribePage } from './notifications/UnsubscribePage.tsx';
import { SessionCompanionPage } from './chat/SessionCompanionPage.tsx';
import { AdminRevenuePage } from './pages/admin/AdminRevenuePage.tsx';
import { EventRevenuePage } from './pages/organize/revenue/EventRevenuePage.tsx';
import { OrganizationRevenuePage } from './pages/organize/revenue/OrganizationRevenuePage.tsx';
import { ReceiptPage } from './pages/orders/ReceiptPage.tsx';
import { DiscoverPage } from './pages/events/DiscoverPage.tsx';
import { EventPage } from './pages/events/EventPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { RecordingsPage } from './pages/recordings/RecordingsPage.tsx';
import { OrganizePage } from './pages/OrganizePage.tsx';
import { AcceptInvitePage } from './pages/organize/AcceptInvitePage.tsx';
import { EDITOR_TABS, EventEditorPage } from './pages/organize/EventEditorPage.tsx';
import { OrganizationSettingsPage } from './pages/organize/OrganizationSettingsPage.tsx';
import { AdminEventsPage } from './pages/admin/AdminEventsPage.tsx';
import { TicketsPage } from './pages/TicketsPage.tsx';
import { CheckoutPage } from './pages/checkout/CheckoutPage.tsx';
import { OrderPage } from './pages/orders/OrderPage.tsx';
import { TicketsTab } from './pages/organize/tickets/TicketsTab.tsx';
import { CheckinPage } from './pages/organize/checkin/CheckinPage.tsx';
import { ScannerPage } from './pages/scanner/ScannerPage.tsx';
import { FirstRunPage } from './setup/FirstRunPage.tsx';
import { AdminRatingsPage } from './pages/feedback/AdminRatingsPage.tsx';
import { FeedbackReportPage } from './pages/feedback/FeedbackReportPage.tsx';
import { RateEventPage } from './pages/feedback/RateEventPage.tsx';
import { SpeakerPage } from './pages/speakers/SpeakerPage.tsx';
import { OrganizerPage } from './pages/organizers/OrganizerPage.tsx';
import { SponsorOverlayPage } from './pages/sponsors/SponsorOverlayPage.tsx';
import { SponsorsManagePage } from './pages/sponsors/SponsorsManagePage.tsx';
import { StreamDestinationsPage } from './pages/watch/StreamDestinationsPage.tsx';
import { WatchPage } from './pages/watch/WatchPage.tsx';
import { SetupProvider } from './setup/setup-context.tsx';
import { AppShell } from './shell/AppShell.tsx';
import { RealtimeProvider } from './shell/realtime-context.tsx';
import { ThemeProvider } from './shell/theme.tsx';

// The live room brings mediasoup-client; load it only when someone enters a room.
const RoomPage = lazy(() => import('./pages/room/RoomPage.tsx').then((m) => ({ default: m.RoomPage })));

/** Every page of the app; features add their routes here. */
export function App() {
  return (
    <ThemeProvider>
      <SetupProvider>
        <RealtimeProvider>
          <SessionProvider>
            <InboxProvider>
            <Router root={AppShell}>
              <Route path="/" component={DiscoverPage} />
              <Route path="/events" component={DiscoverPage} />
              <Route path="/events/:slug" component={EventPage} />
              <Route path="/tickets" component={TicketsPage} />
              <Route path="/events/:slug/checkout" component={CheckoutPage} />
              <Route path="/orders/:id" component={OrderPage} />
              <Route path="/organize/events/:id/tickets" component={TicketsTab} />
              <Route path="/organize" component={OrganizePage} />
              <Route path="/organize/events/:id" component={EventEditorPage} />
              <Route path="/organize/events/:id/:tab" component={EventEditorPage} matchFilters={{ tab: [...EDITOR_TABS] }} />
              <Route path="/organize/organizations/:id" component={OrganizationSettingsPage} />
              <Route path="/organize/invites/accept" component={AcceptInvitePage} />
              <Route path="/admin/events" component={AdminEventsPage} />
              <Route path="/rooms/:sessionId" component={RoomPage} />
              <Route path="/events/:eventId/recordings" component={RecordingsPage} />
              <Route path="/admin" component={AdminUsersPage} />
              <Route path="/admin/audit" component={AdminAuditPage} />
              <Route path="/admin/outbox" component={AdminOutboxPage} />
              <Route path="/admin/jobs" component={AdminJobsPage} />
              <Route path="/notifications" component={InboxPage} />
              <Route path="/unsubscribe" component={UnsubscribePage} />
              <Route path="/sessions/:sessionId/chat" component={SessionCompanionPage} />
              <Route path="/admin/revenue" component={AdminRevenuePage} />
              <Route path="/organize/events/:id/revenue" component={EventRevenuePage} />
              <Route path="/organize/organizations/:id/revenue" component={OrganizationRevenuePage} />
              <Route path="/orders/:id/receipt" component={ReceiptPage} />
              <Route path="/log-in" component={LogInPage} />
              <Route path="/sign-up" component={SignUpPage} />
              <Route path="/verify-email" component={VerifyEmailPage} />
              <Route path="/forgot-password" component={ForgotPasswordPage} />
              <Route path="/reset-password" component={ResetPasswordPage} />
              <Route path="/account" component={AccountPage} />
              <Route path="/organize/events/:id/checkin" component={CheckinPage} />
              <Route path="/scan/:listId" component={ScannerPage} />
              <Route path="/setup" component={FirstRunPage} />
              <Route path="/events/:slug/feedback" component={RateEventPage} />
              <Route path="/organize/events/:id/feedback" component={FeedbackReportPage} />
              <Route path="/organize/events/:id/sponsors" component={SponsorsManagePage} />
              <Route path="/organize/events/:id/streaming" component={StreamDestinationsPage} />
              <Route path="/watch/:sessionId" component={WatchPage} />
              <Route path="/sessions/:sessionId/sponsor-overlay" component={SponsorOverlayPage} />
              <Route path="/speakers/:speakerId" component={SpeakerPage} />
              <Route path="/organizers/:slug" component={OrganizerPage} />
              <Route path="/admin/ratings" component={AdminRatingsPage} />
              <Route path="*404" component={NotFoundPage} />
            </Router>
            </InboxProvider>
          </SessionProvider>
        </RealtimeProvider>
      </SetupProvider>
    </ThemeProvider>
  );
}
