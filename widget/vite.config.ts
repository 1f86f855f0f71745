// Builds the widget into one self-contained IIFE (CSS inlined as a string) at
// widget/dist/widget.js, plus the same file under Rocket.Chat's path and the demo page
// (copied from widget/public). The agent console builds into the same directory (under agent/),
// which this build leaves alone.
// Then the chat chunk, chat.js beside each copy of widget.js: an ES module the widget loads with
// import() from its own directory when a chat starts (so a CSP allowing widget.js allows it). It
// uses the main bundle's Preact, handed over at start (see src/chat/preact-shim.ts), not a copy.
// And, also beside widget.js, the languages other than English, one ES module each (strings-de.js…:
// the widget imports the visitor's one, src/language-loader.ts), and extras.js, code most visitors
// never run (src/extras.ts). Module scripts are always read as UTF-8: no ASCII here.
import { copyFileSync, mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { build, defineConfig, type InlineConfig } from 'vite'
import { WIDGET_LANGUAGES } from '../shared/widget-texts.ts'
import { ASSETS_DIR, CONSOLE_SUBDIR, emptyExcept } from '../scripts/assets.ts'

const dist = ASSETS_DIR
const src = resolve(import.meta.dirname, 'src')
// Never the development runtime (NODE_ENV=test under vitest would pick it): the chunk's Preact
// aliases cover the production one, and the budgets measure it.
const jsx = { runtime: 'automatic', importSource: 'preact', development: false } as const
// ASCII output: host pages without a UTF-8 charset would otherwise garble "…", "ö"…
const ascii = { output: { charset: 'ascii' } } as const

const chatChunk: InlineConfig = {
  configFile: false,
  root: import.meta.dirname,
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx },
  resolve: { alias: [{ find: /^preact(\/hooks|\/jsx-runtime)?$/, replacement: resolve(src, 'chat/preact-shim.ts') }] },
  build: {
    outDir: dist,
    emptyOutDir: false,
    target: 'es2022',
    lib: { entry: resolve(src, 'chat/index.tsx'), formats: ['es'], fileName: () => 'chat.js' },
    // Vite leaves a library's ES output unminified; this one is served as is.
    rolldownOptions: { output: { ...ascii.output, minify: true } },
  },
}

/** strings-<lang>.js for each language but English (built into widget.js). */
const languageFiles = WIDGET_LANGUAGES.filter((lang) => lang !== 'en').map((lang) => `strings-${lang}.js`)

const plainChunks: InlineConfig = {
  configFile: false,
  root: import.meta.dirname,
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: dist,
    emptyOutDir: false,
    target: 'es2022',
    lib: {
      entry: {
        ...Object.fromEntries(languageFiles.map((file) => [file.slice(0, -3), resolve(src, `strings/${file.slice(8, -3)}.ts`)])),
        extras: resolve(src, 'extras.ts'),
      },
      formats: ['es'],
      fileName: (_, name) => `${name}.js`,
    },
    rolldownOptions: { output: { minify: true } },
  },
}

export default defineConfig({
  root: import.meta.dirname,
  publicDir: resolve(import.meta.dirname, 'public'),
  oxc: { jsx },
  build: {
    outDir: dist,
    // Emptied by emptyExcept below, which keeps the console's output.
    emptyOutDir: false,
    target: 'es2022',
    lib: {
      entry: resolve(src, 'main.tsx'),
      formats: ['iife'],
      name: 'EdgeContactCenterWidget',
      fileName: () => 'widget.js',
    },
    rolldownOptions: ascii,
  },
  plugins: [
    emptyExcept(dist, [CONSOLE_SUBDIR]),
    {
      name: 'chat-chunk-and-rocketchat-path',
      apply: 'build',
      async closeBundle() {
        await build(chatChunk)
        await build(plainChunks)
        mkdirSync(resolve(dist, 'livechat'), { recursive: true })
        copyFileSync(resolve(dist, 'widget.js'), resolve(dist, 'livechat/rocketchat-livechat.min.js'))
        for (const file of ['chat.js', 'extras.js', ...languageFiles]) copyFileSync(resolve(dist, file), resolve(dist, `livechat/${file}`))
      },
    },
  ],
})
