// `npm run agent -- --help` prints the usage and succeeds; anything it does not know prints the
// usage and fails, touching no store.
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { BIN, ROOT } from '../support/wrangler-dev.ts'

function agent(...args: string[]) {
  const result = spawnSync('npm', ['run', '-s', 'agent', '--', ...args], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, PATH: `${BIN}:${process.env.PATH}` },
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

const USAGE = /^usage: npm run agent -- create <username> .*\n(.*\n)*.*npm run agent -- --help\nroles: admin, /m

describe('npm run agent usage', () => {
  it.each([['--help'], ['-h'], ['create', '--help']])('%s prints it on standard output and exits 0', (...args) => {
    const result = agent(...args)
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(USAGE)
    expect(result.stdout).toContain('--password-stdin reads the password from standard input')
    expect(result.stderr).toBe('')
  })

  it.each([[], ['frobnicate'], ['--frobnicate']])('%s prints it on standard error and fails', (...args) => {
    const result = agent(...args)
    expect(result.status).not.toBe(0)
    expect(result.stderr).toMatch(USAGE)
    expect(result.stdout).toBe('')
  })
})
