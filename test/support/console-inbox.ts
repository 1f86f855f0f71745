// The agent console in Chromium, signed in and on its inbox, available, its live updates connected.
import type { Page } from 'playwright-core'
import { expect } from 'vitest'

export async function openInbox(page: Page, url: string, username: string, password: string): Promise<Page> {
  await page.goto(`${url}/agent/`)
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: 'Contacts' }).waitFor()
  await page.getByRole('link', { name: 'Inbox' }).click()
  const available = page.getByRole('switch', { name: 'Available' })
  await available.click() // The switch turns on once the server answers.
  await expect.poll(() => available.isChecked()).toBe(true)
  await page.getByText('Connecting to live updates…').waitFor({ state: 'detached' })
  return page
}
