import { A, useLocation } from '@solidjs/router';
import { createEffect, createSignal, For, on, onCleanup, Show } from 'solid-js';
import { CloseIcon, MenuIcon, MoonIcon, PlenaryMark, SunIcon } from '../ui/icons.tsx';
import { AccountLink } from '../pages/account/AccountLink.tsx';
import { useSession } from '../pages/account/session.tsx';
import { NotificationBell } from '../notifications/NotificationBell.tsx';
import { useTheme } from './theme.tsx';

/** The product's sections, in the order people reach for them; Admin only for platform admins. */
const sections = [
  { href: '/', label: 'Events', matches: (path: string) => path === '/' || path.startsWith('/events') },
  { href: '/tickets', label: 'My tickets', matches: (path: string) => path.startsWith('/tickets') },
  { href: '/organize', label: 'Organize', matches: (path: string) => path.startsWith('/organize') },
  { href: '/admin', label: 'Admin', matches: (path: string) => path.startsWith('/admin'), adminOnly: true },
];

function ThemeToggle() {
  const { theme, toggle } = useTheme();
  const dark = () => theme() === 'dark';
  return (
    <button
      type="button"
      class="icon-button"
      aria-pressed={dark()}
      aria-label="Dark theme"
      title={dark() ? 'Switch to light theme' : 'Switch to dark theme'}
      onClick={toggle}
      data-testid="theme-toggle"
    >
      <Show when={dark()} fallback={<MoonIcon />}>
        <SunIcon />
      </Show>
    </button>
  );
}

/**
 * Brand, main navigation and theme switch. On narrow screens (below 48rem, see
 * styles/shell.css) the navigation folds behind a Menu button (a disclosure, not a modal: the page
 * stays usable while it is open).
 */
export function SiteHeader(props: { showNavigation: boolean }) {
  const location = useLocation();
  const session = useSession();
  const user = () => (session.user.state === 'ready' ? session.user() : undefined);
  const visibleSections = () => sections.filter((section) => !section.adminOnly || user()?.role === 'admin');
  const [menuOpen, setMenuOpen] = createSignal(false);
  let menuButton: HTMLButtonElement | undefined;
  let header: HTMLElement | undefined;

  // Following a link closes the menu: the user has what they came for.
  createEffect(on(() => location.pathname, () => setMenuOpen(false), { defer: true }));

  const closeOnEscape = (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || !menuOpen()) return;
    setMenuOpen(false);
    menuButton?.focus();
  };
  const closeOnOutsideClick = (event: PointerEvent) => {
    if (menuOpen() && header && !header.contains(event.target as Node)) setMenuOpen(false);
  };
  document.addEventListener('keydown', closeOnEscape);
  document.addEventListener('pointerdown', closeOnOutsideClick);
  onCleanup(() => {
    document.removeEventListener('keydown', closeOnEscape);
    document.removeEventListener('pointerdown', closeOnOutsideClick);
  });

  return (
    <header class="site-header" ref={header}>
      <div class="site-header__bar">
        <A href="/" class="brand" aria-label="Plenary, home">
          <PlenaryMark size={32} />
          <span class="brand__name">Plenary</span>
        </A>
        <Show when={props.showNavigation}>
          {/* The Menu button comes right before the list it opens, so Tab goes from one into the other. */}
          <nav class="main-nav" classList={{ 'main-nav--open': menuOpen() }} aria-label="Main">
            <button
              ref={menuButton}
              type="button"
              class="menu-button"
              aria-expanded={menuOpen()}
              aria-controls="main-nav-list"
              onClick={() => setMenuOpen(!menuOpen())}
            >
              <Show when={menuOpen()} fallback={<MenuIcon />}>
                <CloseIcon />
              </Show>
              <span>Menu</span>
            </button>
            <ul id="main-nav-list" class="main-nav__list">
              <For each={visibleSections()}>
                {(section) => (
                  <li>
                    <a
                      href={section.href}
                      class="main-nav__link"
                      aria-current={section.matches(location.pathname) ? 'page' : undefined}
                    >
                      {section.label}
                    </a>
                  </li>
                )}
              </For>
              {/* On a phone the header shows only an avatar: the menu names the account and offers to log out. */}
              <Show when={session.user.state === 'ready'}>
                <Show
                  when={user()}
                  fallback={<li class="main-nav__phone-only"><a href="/log-in" class="main-nav__link">Log in</a></li>}
                >
                  <li class="main-nav__phone-only main-nav__account">
                    <a href="/account" class="main-nav__link" aria-current={location.pathname.startsWith('/account') ? 'page' : undefined}>
                      Your account
                    </a>
                  </li>
                  <li class="main-nav__phone-only">
                    <button type="button" class="main-nav__link main-nav__log-out" onClick={() => void session.logOut().then(() => setMenuOpen(false))}>
                      Log out
                    </button>
                  </li>
                </Show>
              </Show>
            </ul>
          </nav>
        </Show>
        <div class="site-header__tools">
          <Show when={props.showNavigation}>
            <NotificationBell />
            <AccountLink />
          </Show>
          <ThemeToggle />
        </div>
      </div>
    </header>
  );
}
