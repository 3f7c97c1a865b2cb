import { createEffect, createSignal, onCleanup } from 'solid-js';
import { createInitializedContext } from '../ui/context.tsx';

export type Theme = 'light' | 'dark';

// Shared with public/theme-init.js, which applies the theme before first paint.
const storageKey = 'plenary.theme';

// Same as --color-bg in styles/tokens.css and the theme-color metas in index.html.
const themeColor: Record<Theme, string> = { light: '#f7f7fb', dark: '#111218' };

function storedTheme(): Theme | null {
  try {
    const value = localStorage.getItem(storageKey);
    return value === 'light' || value === 'dark' ? value : null;
  } catch {
    return null; // Storage can be blocked (privacy settings); fall back to the system theme.
  }
}

const theme = createInitializedContext('ThemeContext', () => {
  const systemDark = matchMedia('(prefers-color-scheme: dark)');
  // The user's choice wins; without one the theme follows the operating system, live.
  const [choice, setChoice] = createSignal<Theme | null>(storedTheme());
  const [system, setSystem] = createSignal<Theme>(systemDark.matches ? 'dark' : 'light');
  const followSystem = (event: MediaQueryListEvent) => setSystem(event.matches ? 'dark' : 'light');
  systemDark.addEventListener('change', followSystem);
  onCleanup(() => systemDark.removeEventListener('change', followSystem));

  const current = () => choice() ?? system();
  createEffect(() => {
    const value = current();
    document.documentElement.setAttribute('data-theme', value);
    // The browser chrome (phone status bar) should match the page, not the OS, when the user chose.
    for (const meta of document.querySelectorAll('meta[name="theme-color"]')) meta.setAttribute('content', themeColor[value]);
  });

  return {
    theme: current,
    toggle() {
      const next: Theme = current() === 'dark' ? 'light' : 'dark';
      setChoice(next);
      try {
        localStorage.setItem(storageKey, next);
      } catch {
        // Not remembered across visits, but still applied now.
      }
    },
  };
});

export const ThemeProvider = theme.provider;
export const useTheme = theme.use;
