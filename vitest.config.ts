import { defineConfig } from 'vitest/config'
import { cloudflareTest } from '@cloudflare/vitest-plugin'

export default defineConfig({
  test: {
    projects: [
      {
        // The Worker inside workerd, with miniflare's real KV and Durable Objects.
        plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' } })],
        test: {
          name: 'worker',
          include: ['test/worker/**/*.test.ts'],
          // Local stand-ins for Turnstile's siteverify, which these machines cannot reach, and for a
          // site owner's webhook receiver.
          globalSetup: ['test/support/turnstile-standin.ts', 'test/support/webhook-receiver-setup.ts'],
        },
      },
      {
        // Preact components in happy-dom.
        oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
        test: { name: 'widget', include: ['test/widget/**/*.test.{ts,tsx}'], environment: 'happy-dom' },
      },
      {
        // The agent console's components in happy-dom, against a fake server.
        oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
        test: { name: 'console', include: ['test/console/**/*.test.{ts,tsx}'], environment: 'happy-dom' },
      },
      {
        // Real processes: `wrangler dev`, the agent CLI, Chromium.
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 90_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
