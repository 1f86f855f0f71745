// Prints the size of the Worker bundle that `wrangler deploy` would upload (minified, as
// wrangler.toml asks), raw and gzip -9.  Run: npm run size:worker
// `npm run bench` imports bundleWorker and measureWorker from here.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const ROOT = resolve(import.meta.dirname, '..')

export interface Size {
  raw: number
  gzip: number
}

/**
 * Bundles the Worker of `config` as `wrangler deploy` would, into `outdir`; returns the entry file.
 * `minify: false` overrides the config (readable names for a CPU profile).
 */
export function bundleWorker(outdir: string, config = join(ROOT, 'wrangler.toml'), { minify }: { minify?: boolean } = {}): string {
  const args = ['deploy', '--dry-run', '--config', config, '--outdir', outdir]
  if (minify !== undefined) args.push(`--minify=${minify}`)
  try {
    execFileSync(join(ROOT, 'node_modules/.bin/wrangler'), args, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
    })
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer }
    throw new Error(`wrangler ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`)
  }
  // Named after the entry module (index.js for ours).
  const [entry] = readdirSync(outdir).filter((f) => f.endsWith('.js'))
  return join(outdir, entry)
}

/** Raw and gzip -9 size of a file. */
export function sizeOf(file: string): Size {
  const bytes = readFileSync(file)
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length }
}

/** The size of the bundle `wrangler deploy` would upload for `config` (ours by default). */
export function measureWorker(config?: string): Size {
  const outdir = mkdtempSync(join(tmpdir(), 'worker-bundle-'))
  try {
    return sizeOf(bundleWorker(outdir, config))
  } finally {
    rmSync(outdir, { recursive: true, force: true })
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { raw, gzip } = measureWorker()
  console.log(`worker bundle: ${raw} B raw, ${gzip} B gzip -9`)
}
