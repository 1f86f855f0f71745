// Prints the size of the Worker bundle that `wrangler deploy` would upload (minified, as
// wrangler.toml asks), raw and gzip -9.  Run: npm run size:worker
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

const outdir = mkdtempSync(join(tmpdir(), 'worker-bundle-'))
try {
  execFileSync('wrangler', ['deploy', '--dry-run', '--outdir', outdir], {
    stdio: 'ignore',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  })
  const bundle = readFileSync(join(outdir, 'index.js'))
  console.log(`worker bundle: ${bundle.length} B raw, ${gzipSync(bundle, { level: 9 }).length} B gzip -9`)
} finally {
  rmSync(outdir, { recursive: true, force: true })
}
