// Starts the real `wrangler dev` (the same command as `npm run dev`) on free ports with
// its own local state directory, for end-to-end and browser tests.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export const ROOT = resolve(import.meta.dirname, '../..')
export const BIN = join(ROOT, 'node_modules/.bin')

export interface WranglerDev {
  url: string
  port: number
  /** The local KV/DO state directory this instance persists to. */
  persistTo: string
  stop(): Promise<void>
  /** Stops the process but keeps its state, to simulate the server going down. */
  kill(): Promise<void>
  /** Starts again on the same port and state after kill(). */
  restart(): Promise<void>
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer()
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => ok(port))
    })
  })
}

/** Signals a detached child's whole process group (wrangler and its workerd children). */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    process.kill(-child.pid!, signal)
  } catch {
    // Already gone.
  }
}

export interface DevOptions {
  /** `--var NAME:VALUE` overrides of wrangler.toml's [vars]. */
  vars?: Record<string, string>
  /** Start through `npm run dev -- <args>` (which builds the widget first) instead of wrangler itself. */
  viaNpm?: boolean
}

export async function startWranglerDev({ vars = {}, viaNpm = false }: DevOptions = {}): Promise<WranglerDev> {
  const port = await freePort()
  const persistTo = mkdtempSync(join(tmpdir(), 'ecc-state-'))
  let child: ChildProcess | undefined

  const launch = async () => {
    const inspector = await freePort()
    const args = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector),
      '--persist-to', persistTo, '--show-interactive-dev-session=false', '--log-level', 'warn']
    for (const [name, value] of Object.entries(vars)) args.push('--var', `${name}:${value}`)
    const [command, commandArgs] = viaNpm ? ['npm', ['run', 'dev', '--', ...args.slice(1)]] : [join(BIN, 'wrangler'), args]
    child = spawn(command, commandArgs, {
      cwd: ROOT,
      // Its own process group, so stopping it also stops wrangler's workerd children.
      detached: true,
      env: { ...process.env, PATH: `${BIN}:${process.env.PATH}`, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout!.on('data', (d) => (output += d))
    child.stderr!.on('data', (d) => (output += d))
    const url = `http://127.0.0.1:${port}`
    const deadline = Date.now() + 60_000
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`wrangler dev exited:\n${output}`)
      try {
        await fetch(`${url}/api/info`)
        return
      } catch {
        await new Promise((r) => setTimeout(r, 250))
      }
    }
    signalGroup(child, 'SIGKILL')
    throw new Error(`wrangler dev did not answer within 60 s:\n${output}`)
  }

  const kill = async () => {
    const c = child
    if (!c || c.exitCode !== null) return
    const exited = new Promise((r) => c.once('exit', r))
    signalGroup(c, 'SIGTERM')
    const timer = setTimeout(() => signalGroup(c, 'SIGKILL'), 5_000)
    await exited
    clearTimeout(timer)
  }

  await launch()
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    persistTo,
    kill,
    restart: launch,
    async stop() {
      await kill()
      rmSync(persistTo, { recursive: true, force: true })
    },
  }
}

/** Runs `npm run agent -- <args>` against this instance's local state; one JSON value per line out. */
export function agentCli(dev: WranglerDev, ...args: string[]) {
  const out = execFileSync('npm', ['run', '-s', 'agent', '--', ...args, '--persist-to', dev.persistTo], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${BIN}:${process.env.PATH}` },
  })
  return out.trim().split('\n').map((line) => JSON.parse(line))
}
