// Prints the size of everything the agent console page downloads (its HTML, JS and CSS) and
// fails (exit 1) above 25 KB gzip. Run after the build: node console/scripts/size.ts
import { resolve } from 'node:path'
import { ASSETS_DIR, CONSOLE_SUBDIR } from '../../scripts/assets.ts'
import { enforce, filesUnder } from '../../scripts/bundle-size.ts'

const BUDGET = 25_000
const dir = resolve(ASSETS_DIR, CONSOLE_SUBDIR)

enforce({
  dir,
  title: `${CONSOLE_SUBDIR}/ (the agent console page)`,
  files: filesUnder(dir, ['.html', '.js', '.css']),
  required: ['index.html', /\.js$/],
  budgets: [{ what: 'console total', files: (rows) => rows, limit: BUDGET }],
  note: () => `budget ${BUDGET} B gzip`,
})
