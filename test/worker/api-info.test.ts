import { describe, expect, it } from 'vitest'
import { version } from '../../package.json'
import { call } from './support.ts'

describe('GET /api/info', () => {
  it("reports the package's version", async () => {
    const response = await call('/api/info')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ version, success: true })
  })
})
