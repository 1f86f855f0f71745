// Builds the agent console (a small Preact app) into the assets directory under agent/, served
// at /agent/: index.html, the first screen's JS and CSS, and the chunks loaded later (the contact
// view, the inbox, live updates, the CSV writer; some with their own CSS) under agent/assets/,
// content-hashed. Emptying agent/ alone leaves the widget's files beside it untouched.
import { resolve } from 'node:path'
import { defineConfig } from 'vite'
import { ASSETS_DIR, CONSOLE_SUBDIR } from '../scripts/assets.ts'
import { lazyStyles } from './scripts/lazy-styles.ts'

export default defineConfig({
  root: import.meta.dirname,
  base: `/${CONSOLE_SUBDIR}/`,
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  plugins: [lazyStyles(`/${CONSOLE_SUBDIR}/`)],
  build: {
    outDir: resolve(ASSETS_DIR, CONSOLE_SUBDIR),
    emptyOutDir: true,
    target: 'es2022',
    // Module scripts need no preload polyfill: modern browsers have modulepreload.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
})
