import { Route, Router } from '@solidjs/router';
import { SessionProvider } from './pages/account/session.tsx';
import { InboxProvider } from './notifications/inbox-context.tsx';
import { DiscoverPage } from './pages/events/DiscoverPage.tsx';
import { EventPage } from './pages/events/EventPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { EDITOR_TABS } from './pages/organize/editor-tabs.ts';
import { SetupProvider } from './setup/setup-context.tsx';
import { AppShell } from './shell/AppShell.tsx';
import { lazyPage } from './shell/lazy-page.tsx';
import { RealtimeProvider } from './shell/realtime-context.tsx';
import { ThemeProvider } from './shell/theme.tsx';

// The first load carries the shell, the event list and the event page, where most visitors
// arrive; every other page is its own chunk, fetched on first visit (or when a link to it is
// hovered), so the room's mediasoup-client, the players' hls.js, the scanner's jsQR and the
// organizer and admin pages cost nothing to someone who only browses events.
const AccountPage = lazyPage(() => import('./pages/account/AccountPage.tsx').then((m) => m.AccountPage));
const VerifyEmailPage = lazyPage(() => import('./pages/account/EmailLinkPages.tsx').then((m) => m.VerifyEmailPage));
const ForgotPasswordPage = lazyPage(() => import('./pages/account/EmailLinkPages.tsx').then((m) => m.ForgotPasswordPage));
const ResetPasswordPage = lazyPage(() => import('./pages/account/EmailLinkPages.tsx').then((m) => m.ResetPasswordPage));
const LogInPage = lazyPage(() => import('./pages/account/LogInPage.tsx').then((m) => m.LogInPage));
const SignUpPage = lazyPage(() => import('./pages/account/SignUpPage.tsx').then((m) => m.SignUpPage));
const AdminAuditPage = lazyPage(() => import('./pages/admin/AdminLogPages.tsx').then((m) => m.AdminAuditPage));
const AdminOutboxPage = lazyPage(() => import('./pages/admin/AdminLogPages.tsx').then((m) => m.AdminOutboxPage));
const AdminUsersPage = lazyPage(() => import('./pages/admin/AdminUsersPage.tsx').then((m) => m.AdminUsersPage));
const AdminJobsPage = lazyPage(() => import('./pages/admin/AdminJobsPage.tsx').then((m) => m.AdminJobsPage));
const AdminRevenuePage = lazyPage(() => import('./pages/admin/AdminRevenuePage.tsx').then((m) => m.AdminRevenuePage));
const AdminEventsPage = lazyPage(() => import('./pages/admin/AdminEventsPage.tsx').then((m) => m.AdminEventsPage));
const AdminRatingsPage = lazyPage(() => import('./pages/feedback/AdminRatingsPage.tsx').then((m) => m.AdminRatingsPage));
const InboxPage = lazyPage(() => import('./notifications/InboxPage.tsx').then((m) => m.InboxPage));
const UnsubscribePage = lazyPage(() => import('./notifications/UnsubscribePage.tsx').then((m) => m.UnsubscribePage));
const SessionCompanionPage = lazyPage(() => import('./chat/SessionCompanionPage.tsx').then((m) => m.SessionCompanionPage));
const EventRevenuePage = lazyPage(() => import('./pages/organize/revenue/EventRevenuePage.tsx').then((m) => m.EventRevenuePage));
const OrganizationRevenuePage = lazyPage(() => import('./pages/organize/revenue/OrganizationRevenuePage.tsx').then((m) => m.OrganizationRevenuePage));
const ReceiptPage = lazyPage(() => import('./pages/orders/ReceiptPage.tsx').then((m) => m.ReceiptPage));
const OrderPage = lazyPage(() => import('./pages/orders/OrderPage.tsx').then((m) => m.OrderPage));
const RecordingsPage = lazyPage(() => import('./pages/recordings/RecordingsPage.tsx').then((m) => m.RecordingsPage));
const OrganizePage = lazyPage(() => import('./pages/OrganizePage.tsx').then((m) => m.OrganizePage));
const AcceptInvitePage = lazyPage(() => import('./pages/organize/AcceptInvitePage.tsx').then((m) => m.AcceptInvitePage));
const EventEditorPage = lazyPage(() => import('./pages/organize/EventEditorPage.tsx').then((m) => m.EventEditorPage));
const OrganizationSettingsPage = lazyPage(() => import('./pages/organize/OrganizationSettingsPage.tsx').then((m) => m.OrganizationSettingsPage));
const TicketsPage = lazyPage(() => import('./pages/TicketsPage.tsx').then((m) => m.TicketsPage));
const CheckoutPage = lazyPage(() => import('./pages/checkout/CheckoutPage.tsx').then((m) => m.CheckoutPage));
const TicketsTab = lazyPage(() => import('./pages/organize/tickets/TicketsTab.tsx').then((m) => m.TicketsTab));
const CheckinPage = lazyPage(() => import('./pages/organize/checkin/CheckinPage.tsx').then((m) => m.CheckinPage));
const ScannerPage = lazyPage(() => import('./pages/scanner/ScannerPage.tsx').then((m) => m.ScannerPage));
const FirstRunPage = lazyPage(() => import('./setup/FirstRunPage.tsx').then((m) => m.FirstRunPage));
const FeedbackReportPage = lazyPage(() => import('./pages/feedback/FeedbackReportPage.tsx').then((m) => m.FeedbackReportPage));
const RateEventPage = lazyPage(() => import('./pages/feedback/RateEventPage.tsx').then((m) => m.RateEventPage));
const SpeakerPage = lazyPage(() => import('./pages/speakers/SpeakerPage.tsx').then((m) => m.SpeakerPage));
const OrganizerPage = lazyPage(() => import('./pages/organizers/OrganizerPage.tsx').then((m) => m.OrganizerPage));
const SponsorOverlayPage = lazyPage(() => import('./pages/sponsors/SponsorOverlayPage.tsx').then((m) => m.SponsorOverlayPage));
const SponsorsManagePage = lazyPage(() => import('./pages/sponsors/SponsorsManagePage.tsx').then((m) => m.SponsorsManagePage));
const StreamDestinationsPage = lazyPage(() => import('./pages/watch/StreamDestinationsPage.tsx').then((m) => m.StreamDestinationsPage));
const WatchPage = lazyPage(() => import('./pages/watch/WatchPage.tsx').then((m) => m.WatchPage));
const RoomPage = lazyPage(() => import('./pages/room/RoomPage.tsx').then((m) => m.RoomPage));

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
              <Route path="/invitations/accept" component={AcceptInvitePage} />
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
