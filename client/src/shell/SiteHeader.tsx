import { A, useLocation } from '@solidjs/router';
import { createEffect, createSignal, For, on, onCleanup, Show } from 'solid-js';
import { CloseIcon, MenuIcon, MoonIcon, PlenaryMark, SunIcon } from '../ui/icons.tsx';
import { AccountLink } from '../pages/account/AccountLink.tsx';
import { NotificationBell } from '../notifications/NotificationBell.tsx';
import { useTheme } from './theme.tsx';

/** The product's sections, in the order people reach for them. */
const sections = [
  { href: '/', label: 'Events', matches: (path: string) => path === '/' || path.startsWith('/events') },
  { href: '/tickets', label: 'My tickets', matches: (path: string) => path.startsWith('/tickets') },
  { href: '/organize', label: 'Organize', matches: (path: string) => path.startsWith('/organize') },
  { href: '/admin', label: 'Admin', matches: (path: string) => path.startsWith('/admin') },
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
              <For each={sections}>
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
