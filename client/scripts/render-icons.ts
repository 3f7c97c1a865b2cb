/**
 * Renders the PNG app icons (phones install from PNGs, not SVG) from the SVG
 * sources in client/public/icons. Run once after changing the drawing and
 * commit the PNGs: `node client/scripts/render-icons.ts`.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const iconsDir = fileURLToPath(new URL('../public/icons/', import.meta.url));

const renders = [
  { source: 'icon.svg', target: 'icon-192.png', size: 192 },
  { source: 'icon.svg', target: 'icon-512.png', size: 512 },
  { source: 'icon-maskable.svg', target: 'icon-maskable-512.png', size: 512 },
  // iOS rounds the corners itself and shows transparency as black, so it gets the full-bleed drawing.
  { source: 'icon-maskable.svg', target: 'apple-touch-icon.png', size: 180 },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  for (const { source, target, size } of renders) {
    const svg = await readFile(iconsDir + source, 'utf8');
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(
      `<style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style>${svg}`,
    );
    await page.screenshot({ path: iconsDir + target, omitBackground: true });
    console.log(`rendered ${target} (${size}×${size})`);
  }
} finally {
  await browser.close();
}
