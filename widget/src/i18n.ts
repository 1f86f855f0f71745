// All four languages are bundled: together they cost less than a second request would,
// and switching language never waits on the network.
import en from './strings/en'
import ptBR from './strings/pt-BR'
import es from './strings/es'
import de from './strings/de'

export type Strings = typeof en
export const languages = { en, 'pt-BR': ptBR, es, de }
export type Lang = keyof typeof languages

/** The first candidate we have strings for: exact tag first, then its primary subtag (es-MX → es, pt → pt-BR). */
export function pickLanguage(...candidates: (string | undefined)[]): Lang {
  const tags = Object.keys(languages) as Lang[]
  for (const candidate of candidates) {
    if (!candidate) continue
    const wanted = candidate.toLowerCase()
    const primary = wanted.split('-')[0]
    const match =
      tags.find((tag) => tag.toLowerCase() === wanted) ??
      tags.find((tag) => tag.toLowerCase().split('-')[0] === primary)
    if (match) return match
  }
  return 'en'
}
