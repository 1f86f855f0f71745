// A Vite plugin that swaps Vite's preload helper, wrapped around every import() of the build, for
// the one thing the console needs from it: a lazy chunk's stylesheet, loaded alongside its code
// and in place before the import resolves. Vite's (about 0.6 KB gzip on the first screen) also
// preloads a chunk's other chunks, which the console's lazy chunks have none of (they import the
// entry only), and handles CSP nonces and error events, which it uses neither of.
import type { Plugin } from 'vite'

// The id of Vite's virtual helper module (vite/src/node/plugins/importAnalysisBuild.ts).
const HELPER = '\0vite/preload-helper.js'

export function lazyStyles(base: string): Plugin {
  return {
    name: 'lazy-styles',
    enforce: 'pre',
    apply: 'build',
    resolveId: (id) => (id === HELPER ? id : undefined),
    load(id) {
      if (id !== HELPER) return
      return `
const stylesheet = (file) => new Promise((loaded, failed) => {
  const link = document.createElement('link')
  link.rel = 'stylesheet'
  link.href = ${JSON.stringify(base)} + file
  link.onload = loaded
  link.onerror = () => failed(new Error('Could not load ' + file))
  document.head.append(link)
})
export const __vitePreload = (load, deps = []) =>
  Promise.all([load(), ...deps.filter((file) => file.endsWith('.css')).map(stylesheet)]).then(([module]) => module)
`
    },
  }
}
