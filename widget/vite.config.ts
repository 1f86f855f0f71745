// Builds the widget into one self-contained IIFE (CSS inlined as a string) at
// widget/dist/widget.js, plus the same file under Rocket.Chat's path and the demo page
// (copied from widget/public). The agent console builds into the same directory (under agent/),
// which this build leaves alone.
import { copyFileSync, mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { defineConfig } from 'vite'
import { ASSETS_DIR, CONSOLE_SUBDIR, emptyExcept } from '../scripts/assets.ts'

const dist = ASSETS_DIR

export default defineConfig({
  root: import.meta.dirname,
  publicDir: resolve(import.meta.dirname, 'public'),
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: dist,
    // Emptied by emptyExcept below, which keeps the console's output.
    emptyOutDir: false,
    target: 'es2022',
    lib: {
      entry: resolve(import.meta.dirname, 'src/main.tsx'),
      formats: ['iife'],
      name: 'EdgeContactCenterWidget',
      fileName: () => 'widget.js',
    },
    // ASCII output: host pages without a UTF-8 charset would otherwise garble "…", "ö"…
    rolldownOptions: { output: { charset: 'ascii' } },
  },
  plugins: [
    emptyExcept(dist, [CONSOLE_SUBDIR]),
    {
      name: 'rocketchat-path',
      apply: 'build',
      closeBundle() {
        mkdirSync(resolve(dist, 'livechat'), { recursive: true })
        copyFileSync(resolve(dist, 'widget.js'), resolve(dist, 'livechat/rocketchat-livechat.min.js'))
      },
    },
  ],
})
