// The files a browser fetches before the console's first screen (the sign-in form, or for a
// signed-in agent the contact list) is usable: index.html, what it links (script, stylesheet,
// module preloads) and every module those scripts import statically, recursively. Chunks loaded
// with import() (the contact view, the inbox, live updates, the CSV writer) are not among them.
// Shared by size.ts and the browser test that checks Chromium fetches exactly these.
import { readFileSync } from 'node:fs'
import { posix, resolve } from 'node:path'

/** `import … from "./x.js"` and `import "./x.js"` in built code; import("./x.js") has a parenthesis. */
const STATIC_IMPORT = /\bimport\s*(?:[\w$*{][^"'`()]*?\bfrom\s*)?["'`](\.{1,2}\/[^"'`]+\.js)["'`]/g

/** Those files, relative to `dir` (the console's build, served at `/${base}/`), index.html first. */
export function firstScreenFiles(dir: string, base: string): string[] {
  const html = readFileSync(resolve(dir, 'index.html'), 'utf8')
  const linked = [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="\/([^"]+)"[^>]*>/g)]
    .filter(([tag]) => /<script|rel="(?:stylesheet|modulepreload)"/.test(tag))
    .map(([, url]) => posix.relative(base, url))
  const files = ['index.html', ...linked]
  for (const file of files) {
    if (!file.endsWith('.js')) continue
    for (const [, spec] of readFileSync(resolve(dir, file), 'utf8').matchAll(STATIC_IMPORT)) {
      const imported = posix.join(posix.dirname(file), spec)
      if (!files.includes(imported)) files.push(imported)
    }
  }
  return files
}
