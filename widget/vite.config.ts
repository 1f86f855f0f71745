// Builds the widget into one self-contained IIFE (CSS inlined as a string) at
// widget/dist/widget.js, plus the same file under Rocket.Chat's path and the demo page
// (copied from widget/public). The agent console builds into the same directory (under agent/),
// which this build leaves alone.
// Then the chat chunk, chat.js beside each copy of widget.js: an ES module the widget loads with
// import() from its own directory when a chat starts (so a CSP allowing widget.js allows it). It
// uses the main bundle's Preact, handed over at start (see src/chat/preact-shim.ts), not a copy,
// and brings Preact's hooks, which the main bundle does without.
// And, also beside widget.js, the languages other than English, one ES module each (strings-de.js…:
// the widget imports the visitor's one, src/language-loader.ts; each is a list, src/strings/list.ts),
// submit.js, what the pre-chat form's submit runs, fetched as the form appears (src/submit.ts), and
// extras.js, code most visitors never run (src/extras.ts). Module scripts are always read as UTF-8:
// no ASCII here.
import { copyFileSync, mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { minify } from 'terser'
import { build, defineConfig, type InlineConfig, type Plugin } from 'vite'
import { WIDGET_LANGUAGES } from '../shared/widget-texts.ts'
import de from './src/strings/de.ts'
import es from './src/strings/es.ts'
import { toList } from './src/strings/list.ts'
import ptBR from './src/strings/pt-BR.ts'
import { ASSETS_DIR, CONSOLE_SUBDIR, emptyExcept } from '../scripts/assets.ts'

const dist = ASSETS_DIR
const src = resolve(import.meta.dirname, 'src')
// Never the development runtime (NODE_ENV=test under vitest would pick it): the chunk's Preact
// aliases cover the production one, and the budgets measure it.
const jsx = { runtime: 'automatic', importSource: 'preact', development: false } as const
// ASCII output: host pages without a UTF-8 charset would otherwise garble "…", "ö"…
const ascii = { output: { charset: 'ascii' } } as const

/** Terser, over Vite's own minifier's output, makes widget.js about 110 B (gzip) smaller still, and
 * the submit chunk about 100 (pure_getters: no code of ours reads a property for its side effects).
 * ASCII output, as above. */
const terserAfter: Plugin = {
  name: 'terser-after',
  apply: 'build',
  async generateBundle(_, bundle) {
    for (const chunk of Object.values(bundle)) {
      if (chunk.type !== 'chunk') continue
      const { code } = await minify(chunk.code, { compress: { passes: 3, pure_getters: true }, toplevel: true, format: { ascii_only: true } })
      chunk.code = code!
    }
  },
}

const chatChunk: InlineConfig = {
  configFile: false,
  root: import.meta.dirname,
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx },
  plugins: [terserAfter],
  resolve: { alias: [{ find: /^preact(\/jsx-runtime)?$/, replacement: resolve(src, 'chat/preact-shim.ts') }] },
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

/** Each language chunk is the list of its texts (src/strings/list.ts), not its module (whose
 * texts that follow a submit go in the submit chunk instead, src/submit-texts.ts). */
const LIST = 'strings-list:'
const languageLists: Plugin = {
  name: 'language-lists',
  // Vite puts the root before a library's entries.
  resolveId: (id) => (id.includes(LIST) ? `\0${id.slice(id.indexOf(LIST))}` : undefined),
  load(id) {
    const strings = id.startsWith(`\0${LIST}`) && { de, es, 'pt-BR': ptBR }[id.slice(LIST.length + 1)]
    if (strings) return `export default ${JSON.stringify(toList(strings))}`
  },
}

/** A build of plain ES module chunks. Entries that share a module are built apart (`entry` with one
 * name), or that module would become a chunk of its own, which nothing copies or serves with CORS. */
const plainChunks = (entry: Record<string, string>, code = true): InlineConfig => ({
  configFile: false,
  root: import.meta.dirname,
  publicDir: false,
  logLevel: 'warn',
  // Terser over code (see terserAfter); the language lists are data it only makes larger.
  plugins: [languageLists, ...(code ? [terserAfter] : [])],
  build: {
    outDir: dist,
    emptyOutDir: false,
    target: 'es2022',
    lib: { entry, formats: ['es'], fileName: (_, name) => `${name}.js` },
    rolldownOptions: { output: { minify: true } },
  },
})

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
    terserAfter,
    {
      name: 'chat-chunk-and-rocketchat-path',
      apply: 'build',
      async closeBundle() {
        await build(chatChunk)
        await build(plainChunks(Object.fromEntries(languageFiles.map((file) => [file.slice(0, -3), `${LIST}${file.slice(8, -3)}`])), false))
        await build(plainChunks({ extras: resolve(src, 'extras.ts') }))
        await build(plainChunks({ submit: resolve(src, 'submit.ts') }))
        mkdirSync(resolve(dist, 'livechat'), { recursive: true })
        copyFileSync(resolve(dist, 'widget.js'), resolve(dist, 'livechat/rocketchat-livechat.min.js'))
        for (const file of ['chat.js', 'extras.js', 'submit.js', ...languageFiles]) copyFileSync(resolve(dist, file), resolve(dist, `livechat/${file}`))
      },
    },
  ],
})
