// Runs before the app bundle so the page never paints in the wrong theme.
// Keep the storage key and attribute in sync with src/shell/theme.ts.
(function () {
  var stored = null;
  try { stored = localStorage.getItem('plenary.theme'); } catch (e) { /* storage blocked */ }
  var dark = stored ? stored === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
  document.documentElement.setAttribute('data-theme', dark ? 'dark' : 'light');
})();
