// The effective theme (host page over server over defaults) and its CSS custom properties.
import type { Theme, WidgetState } from './widget'

const DEFAULTS = { color: '#1d74f5', fontColor: '#ffffff', position: 'right' } as const

export function effectiveTheme(state: WidgetState): Required<Theme> {
  const { config } = state
  return { ...DEFAULTS, title: '', ...config?.theme, ...(config?.title ? { title: config.title } : {}), ...state.theme } as Required<Theme>
}

// Colours end up inside a stylesheet: refuse anything that could close the rule.
const safeColor = (value: string, fallback: string) => (/^[#\w(),.%\s-]+$/.test(value) ? value : fallback)

export const themeCss = (theme: Theme) =>
  `:host{--ecc-color:${safeColor(theme.color ?? '', DEFAULTS.color)};--ecc-font:${safeColor(theme.fontColor ?? '', DEFAULTS.fontColor)}}`
