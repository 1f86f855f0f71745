import { describe, expect, it } from 'vitest'
import { FIELDS, fetchVisitor, newToken, postVisitor, register } from './support.ts'

// Definitions with a required field, a select, a regexp, a hidden one and a room-scoped one.
const withFields = { LIVECHAT_CUSTOM_FIELDS: FIELDS }
const company = { key: 'company', value: 'ACME', overwrite: true }

describe('custom fields', () => {
  it('stores an allowed field in livechatData', async () => {
    const visitor = await register({ token: newToken(), customFields: [{ key: 'address', value: 'Main St', overwrite: true }] })
    expect(visitor.livechatData).toEqual({ address: 'Main St' })
  })

  it('overwrites an existing value when overwrite is true', async () => {
    const token = newToken()
    await register({ token, customFields: [{ key: 'address', value: 'Old St', overwrite: true }] })
    const visitor = await register({ token, customFields: [{ key: 'address', value: 'New St', overwrite: true }] })
    expect(visitor.livechatData).toEqual({ address: 'New St' })
  })

  it('keeps an existing value when overwrite is false', async () => {
    const token = newToken()
    await register({ token, customFields: [{ key: 'address', value: 'Old St', overwrite: true }] })
    const visitor = await register({ token, customFields: [{ key: 'address', value: 'New St', overwrite: false }] })
    expect(visitor.livechatData).toEqual({ address: 'Old St' })
  })

  it('fills an empty value when overwrite is false', async () => {
    const visitor = await register({ token: newToken(), customFields: [{ key: 'address', value: 'Main St', overwrite: false }] })
    expect(visitor.livechatData).toEqual({ address: 'Main St' })
  })

  it('keeps custom fields not sent in a later registration', async () => {
    const token = newToken()
    await register({ token, customFields: [{ key: 'address', value: 'Main St', overwrite: true }] })
    const visitor = await register({ token, name: 'Ana' })
    expect(visitor.livechatData).toEqual({ address: 'Main St' })
  })

  it('silently ignores unknown, hidden and room-scoped fields', async () => {
    const visitor = await register({
      token: newToken(),
      customFields: [
        company,
        { key: 'unknown', value: 'x', overwrite: true },
        { key: 'secret', value: 'x', overwrite: true },
        { key: 'topic', value: 'x', overwrite: true },
      ],
    }, withFields)
    expect(visitor.livechatData).toEqual({ company: 'ACME' })
  })

  it('refuses a registration missing a required field, storing nothing', async () => {
    const token = newToken()
    const response = await postVisitor({ visitor: { token, name: 'Ana', customFields: [{ key: 'address', value: 'Main St', overwrite: true }] } }, withFields)
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({ success: false, error: 'Missing required custom fields: company' })
    expect(await fetchVisitor(token)).toBeNull()
  })

  it('counts a required field sent empty as missing', async () => {
    const response = await postVisitor({ visitor: { token: newToken(), customFields: [{ ...company, value: '' }] } }, withFields)
    expect((await response.json<any>()).error).toBe('Missing required custom fields: company')
  })

  it('does not ask for required fields when no custom field is sent', async () => {
    const visitor = await register({ token: newToken(), name: 'Ana' }, withFields)
    expect(visitor).not.toHaveProperty('livechatData')
  })

  it('refuses a value outside a select field\'s options', async () => {
    const token = newToken()
    const response = await postVisitor({ visitor: { token, customFields: [company, { key: 'plan', value: 'gold', overwrite: true }] } }, withFields)
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({
      success: false,
      error: 'Invalid value for Plan field [error-invalid-custom-field-value]',
      errorType: 'error-invalid-custom-field-value',
    })
    expect(await fetchVisitor(token)).toBeNull()
  })

  it('accepts a select field value from its options', async () => {
    const visitor = await register({ token: newToken(), customFields: [company, { key: 'plan', value: 'pro', overwrite: true }] }, withFields)
    expect(visitor.livechatData).toEqual({ company: 'ACME', plan: 'pro' })
  })

  it('ignores an unknown custom field whatever the size of its key and value', async () => {
    const visitor = await register({ token: newToken(), customFields: [{ key: 'k'.repeat(500), value: 'v'.repeat(5000), overwrite: true }] })
    expect(visitor).not.toHaveProperty('livechatData')
  })

  it('refuses a value with control characters, storing nothing', async () => {
    const token = newToken()
    const response = await postVisitor({ visitor: { token, customFields: [{ key: 'address', value: 'Main\u0000St', overwrite: true }] } })
    expect((await response.json<any>()).error).toBe('Invalid value for Address field [error-invalid-custom-field-value]')
    expect(await fetchVisitor(token)).toBeNull()
  })

  it('refuses a value that does not match the field\'s regexp', async () => {
    const response = await postVisitor({ visitor: { token: newToken(), customFields: [company, { key: 'zip', value: '1234', overwrite: true }] } }, withFields)
    expect((await response.json<any>()).error).toBe('Invalid value for ZIP code field [error-invalid-custom-field-value]')
  })
})
