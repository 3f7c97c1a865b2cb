import { Route, Router } from '@solidjs/router';
import { AdminPage } from './pages/AdminPage.tsx';
import { EventsPage } from './pages/EventsPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { OrganizePage } from './pages/OrganizePage.tsx';
import { TicketsPage } from './pages/TicketsPage.tsx';
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
          <Router root={AppShell}>
            <Route path="/" component={EventsPage} />
            <Route path="/events" component={EventsPage} />
            <Route path="/tickets" component={TicketsPage} />
            <Route path="/organize" component={OrganizePage} />
            <Route path="/admin" component={AdminPage} />
            <Route path="/setup" component={FirstRunPage} />
            <Route path="*404" component={NotFoundPage} />
          </Router>
        </RealtimeProvider>
      </SetupProvider>
    </ThemeProvider>
  );
}
