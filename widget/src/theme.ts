// The effective theme (host page over server over defaults) and its CSS custom properties.
import type { Theme, WidgetState } from './widget'

const DEFAULTS = { color: '#1d74f5', fontColor: '#ffffff', position: 'right' } as const

/** Each source overrides the one before: defaults, the server's theme, its title, the host page's theme. */
export function effectiveTheme(state: WidgetState): Required<Theme> {
  const theme: Theme = { ...DEFAULTS, title: '', ...state.config?.theme }
  if (state.config?.title) theme.title = state.config.title
  return { ...theme, ...state.theme } as Required<Theme>
}

// Colours end up inside a stylesheet: refuse anything that could close the rule.
const safeColor = (value: string, fallback: string) => (/^[#\w(),.%\s-]+$/.test(value) ? value : fallback)

export function themeCss(theme: Theme): string {
  const color = safeColor(theme.color ?? '', DEFAULTS.color)
  const font = safeColor(theme.fontColor ?? '', DEFAULTS.fontColor)
  return `:host{--ecc-color:${color};--ecc-font:${font}}`
}
