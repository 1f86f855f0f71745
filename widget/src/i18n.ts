// The widget's four languages. English is built into widget.js; each other one is a chunk of its
// own (strings-de.js…, beside widget.js, see language-loader.ts): a visitor downloads the one
// language they read, not four. Until it arrives, or when it cannot be fetched, English shows.
import { WIDGET_LANGUAGES, type FormTexts, type WidgetLanguage } from '../../shared/widget-texts'
import en from './strings/en'
import { withOwnerTexts } from './texts'
import type { WidgetState } from './widget'

export type Strings = FormTexts
export type Lang = WidgetLanguage

/** The languages loaded so far. */
export const languages: Partial<Record<Lang, Strings>> = { en }

/** The form's strings in the widget's language, the owner's texts over them. */
export const formTexts = (state: Pick<WidgetState, 'lang' | 'config'>): Strings => withOwnerTexts({ ...en, ...languages[state.lang] }, state)

/** The first candidate we have strings for: exact tag first, then its primary subtag (es-MX → es, pt → pt-BR). */
export function pickLanguage(...candidates: (string | undefined)[]): Lang {
  for (const candidate of candidates) {
    if (!candidate) continue
    const wanted = candidate.toLowerCase()
    const primary = wanted.split('-')[0]
    const match =
      WIDGET_LANGUAGES.find((tag) => tag.toLowerCase() === wanted) ??
      WIDGET_LANGUAGES.find((tag) => tag.toLowerCase().split('-')[0] === primary)
    if (match) return match
  }
  return 'en'
}
