// Prints the size of the agent console's first screen (what a browser fetches before the sign-in
// form, or for a signed-in agent the contact list, is usable: first-screen.ts), then of the chunks
// loaded later, and fails (exit 1) above 15 KB gzip for the first screen (issue 15) or 25 KB for
// everything the console can download. Run after the build: node console/scripts/size.ts
import { resolve } from 'node:path'
import { ASSETS_DIR, CONSOLE_SUBDIR } from '../../scripts/assets.ts'
import { checkBundle, filesUnder, measure } from '../../scripts/bundle-size.ts'
import { firstScreenFiles } from './first-screen.ts'

const FIRST_SCREEN_BUDGET = 15_000
const TOTAL_BUDGET = 25_000
const dir = resolve(ASSETS_DIR, CONSOLE_SUBDIR)

const all = filesUnder(dir, ['.html', '.js', '.css'])
const first = all.includes('index.html') ? firstScreenFiles(dir, CONSOLE_SUBDIR) : []
const failures = checkBundle({
  dir,
  title: 'file (first screen: sign-in, the contact list)',
  files: first,
  required: ['index.html', /\.js$/],
  budgets: [{ what: 'first screen', files: (rows) => rows, limit: FIRST_SCREEN_BUDGET }],
  note: () => `budget ${FIRST_SCREEN_BUDGET} B gzip; both screens load these files and no other before they are usable`,
})
// The rest, each fetched when first needed; counted with the first screen in the total budget.
const firstRows = first.map((file) => measure(dir, file))
const firstGzip = firstRows.reduce((total, r) => total + r.gzip, 0)
console.log()
failures.push(
  ...checkBundle({
    dir,
    title: 'file (later: contact view, inbox, live, CSV)',
    files: all.filter((file) => !first.includes(file)),
    required: [],
    budgets: [{ what: 'console total', files: (rows) => [...firstRows, ...rows], limit: TOTAL_BUDGET }],
    note: (later) => `everything: ${firstGzip + later} B gzip; budget ${TOTAL_BUDGET} B gzip`,
  }),
)
process.exit(failures.length ? 1 : 0)
