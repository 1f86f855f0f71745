// A view in a chunk of its own (components/lazy.tsx): its placeholder until the chunk has come,
// then the view with the props given; a chunk that cannot be fetched leaves an alert with a way out.
import { cleanup, fireEvent, render, screen } from '@testing-library/preact'
import { afterEach, expect, test, vi } from 'vitest'
import { lazy, Loading } from '../../console/src/components/lazy'

afterEach(cleanup)

const Placeholder = ({ failed }: { failed: boolean }) => <Loading failed={failed} what="the view" />

test('the placeholder shows until the chunk has come, then the view with its props; fetched once', async () => {
  let arrive!: (view: (props: { name: string }) => preact.JSX.Element) => void
  const load = vi.fn(() => new Promise<(props: { name: string }) => preact.JSX.Element>((resolve) => (arrive = resolve)))
  const View = lazy(load, Placeholder)
  const { unmount } = render(<View name="Ana" />)
  expect(screen.getByRole('status').textContent).toBe('Loading the view…')
  arrive(({ name }) => <h1>Hello {name}</h1>)
  expect((await screen.findByRole('heading')).textContent).toBe('Hello Ana')
  expect(screen.queryByRole('status')).toBeNull()
  unmount()
  // Shown again: at once, from the chunk already loaded.
  render(<View name="Bo" />)
  expect(screen.getByRole('heading').textContent).toBe('Hello Bo')
  expect(load).toHaveBeenCalledTimes(1)
})

test('a chunk that cannot be fetched: an alert, and Reload reloads the page', async () => {
  const View = lazy<object>(() => Promise.reject(new TypeError('Failed to fetch dynamically imported module')), Placeholder)
  render(<View />)
  expect((await screen.findByRole('alert')).textContent).toBe("Couldn't load the view. Check your connection.Reload")
  const reload = vi.fn()
  vi.stubGlobal('location', { ...location, reload })
  fireEvent.click(screen.getByRole('button', { name: 'Reload' }))
  expect(reload).toHaveBeenCalledOnce()
  vi.unstubAllGlobals()
})
