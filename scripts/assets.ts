// The one Workers Static Assets directory (wrangler.toml [assets]) both front ends build into:
// the widget at its root (/widget.js, /livechat/…, the demo page at /), the agent console under
// agent/ (/agent/). Each build empties only its own part, so either can be rebuilt alone.
import { readdirSync, rmSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Plugin } from 'vite'

export const ASSETS_DIR = resolve(import.meta.dirname, '../widget/dist')
/** The console's subdirectory of ASSETS_DIR, and its URL path. */
export const CONSOLE_SUBDIR = 'agent'

/** A build plugin that empties `dir` before writing, except the entries named in `keep`
 * (Vite's emptyOutDir is all or nothing). */
export function emptyExcept(dir: string, keep: string[]): Plugin {
  return {
    name: 'empty-except',
    apply: 'build',
    buildStart() {
      let entries: string[] = []
      try {
        entries = readdirSync(dir)
      } catch {
        return // Not built yet.
      }
      for (const entry of entries) if (!keep.includes(entry)) rmSync(resolve(dir, entry), { recursive: true, force: true })
    },
  }
}
