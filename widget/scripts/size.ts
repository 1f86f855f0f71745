// Prints the raw and gzip -9 size of what a browser downloads before the pre-chat form shows and
// takes input: widget.js (launcher, panel and form, the host APIs, the config request and its
// network policy) and, for a visitor who does not read English, their language's chunk (the largest
// one is counted). Then the chunks loaded later: submit.js, which the form fetches as it appears,
// while the visitor fills it in (validating and sending on submit: a submit that comes first waits
// for it), also with the total a visitor who submits has downloaded; extras.js for host pages'
// registrations and Turnstile; chat.js when a chat starts.
// Fails (exit 1) when a budget is exceeded (issues 3, 13, 14 and 15).
// Run after the build: node widget/scripts/size.ts
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { WIDGET_LANGUAGES } from '../../shared/widget-texts.ts'
import { ASSETS_DIR } from '../../scripts/assets.ts'
import { checkBundle, measure } from '../../scripts/bundle-size.ts'

const TOTAL_BUDGET = 12_000
const LOADER_BUDGET = 2_000
const CHAT_BUDGET = 12_000
const SUBMIT_BUDGET = 4_000
const EXTRAS_BUDGET = 3_000
const ROCKET_CHAT = 476_733

const submitGzip = existsSync(resolve(ASSETS_DIR, 'submit.js')) ? measure(ASSETS_DIR, 'submit.js').gzip : 0
const languageFiles = WIDGET_LANGUAGES.filter((lang) => lang !== 'en').map((lang) => `strings-${lang}.js`)
const languages = languageFiles.filter((file) => existsSync(resolve(ASSETS_DIR, file))).map((file) => measure(ASSETS_DIR, file))
const largest = languages.reduce((a, b) => (b.gzip > a.gzip ? b : a), { file: 'no language chunk', raw: 0, gzip: 0 })

const failures = checkBundle({
  dir: ASSETS_DIR,
  title: 'file (the language chunks, one per visitor)',
  files: languageFiles,
  required: languageFiles,
  copies: languageFiles.map((file) => `livechat/${file}`),
  budgets: [],
})
console.log()
failures.push(
  ...checkBundle({
    dir: ASSETS_DIR,
    title: 'file (before the form shows and takes input)',
    // The page fetches one of widget.js or its Rocket.Chat-path copy, never both; a stylesheet
    // or a loader would count too if the build ever produced one.
    files: ['loader.js', 'widget.js', 'widget.css'],
    required: ['widget.js'],
    copies: ['livechat/rocketchat-livechat.min.js'],
    budgets: [
      { what: `total with ${largest.file}`, files: (rows) => [...rows, largest], limit: TOTAL_BUDGET },
      { what: 'loader', files: (rows) => rows.filter((r) => r.file === 'loader.js'), limit: LOADER_BUDGET },
    ],
    note: (total) =>
      `with ${largest.file} (${largest.gzip} B): ${total + largest.gzip} B gzip; budget ${TOTAL_BUDGET} B gzip; ` +
      `with submit.js too, fetched as the form appears: ${total + largest.gzip + submitGzip} B; ` +
      `Rocket.Chat livechat ${ROCKET_CHAT} B → ${(ROCKET_CHAT / (total + largest.gzip)).toFixed(0)}× smaller`,
  }),
)
// The chunks loaded later, each on its own budget.
for (const [file, when, limit] of [
  ['chat.js', 'chat chunk, when a chat starts', CHAT_BUDGET],
  ['submit.js', 'submit chunk, as the form appears', SUBMIT_BUDGET],
  ['extras.js', 'extras chunk, when first needed', EXTRAS_BUDGET],
] as const) {
  console.log()
  failures.push(
    ...checkBundle({
      dir: ASSETS_DIR,
      title: `file (${when})`,
      files: [file],
      required: [file],
      copies: [`livechat/${file}`],
      budgets: [{ what: when.split(',')[0], files: (rows) => rows, limit }],
      note: () => `budget ${limit} B gzip`,
    }),
  )
}
process.exit(failures.length ? 1 : 0)
