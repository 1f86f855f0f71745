// Prints the raw and gzip -9 size of what a browser downloads before the pre-chat form is
// interactive, then of the chat chunk (loaded only when a chat starts), and fails (exit 1) when
// either budget is exceeded (issues 3 and 13).
// Run after the build: node widget/scripts/size.ts
import { ASSETS_DIR } from '../../scripts/assets.ts'
import { checkBundle } from '../../scripts/bundle-size.ts'

const TOTAL_BUDGET = 15_000
const LOADER_BUDGET = 2_000
const CHAT_BUDGET = 12_000
const ROCKET_CHAT = 476_733

const failures = checkBundle({
  dir: ASSETS_DIR,
  title: 'file (before the form is interactive)',
  // The page fetches one of widget.js or its Rocket.Chat-path copy, never both; a stylesheet
  // or a loader would count too if the build ever produced one.
  files: ['loader.js', 'widget.js', 'widget.css'],
  required: ['widget.js'],
  copies: ['livechat/rocketchat-livechat.min.js'],
  budgets: [
    { what: 'total', files: (rows) => rows, limit: TOTAL_BUDGET },
    { what: 'loader', files: (rows) => rows.filter((r) => r.file === 'loader.js'), limit: LOADER_BUDGET },
  ],
  note: (total) =>
    `budget ${TOTAL_BUDGET} B gzip (aim 10000); Rocket.Chat livechat ${ROCKET_CHAT} B → ${(ROCKET_CHAT / total).toFixed(0)}× smaller`,
})
console.log()
failures.push(
  ...checkBundle({
    dir: ASSETS_DIR,
    title: 'file (chat chunk, when a chat starts)',
    files: ['chat.js'],
    required: ['chat.js'],
    copies: ['livechat/chat.js'],
    budgets: [{ what: 'chat chunk', files: (rows) => rows, limit: CHAT_BUDGET }],
    note: () => `budget ${CHAT_BUDGET} B gzip`,
  }),
)
process.exit(failures.length ? 1 : 0)
