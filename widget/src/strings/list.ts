// A language chunk (strings-de.js…) holds its texts as a list, in the order of English's keys: the
// keys would be a quarter of its bytes. The build makes the lists (widget/vite.config.ts), and
// language-loader.ts turns the one it fetched back into strings.
import type { Strings } from '../i18n'
import en from './en.ts'

const KEYS = Object.keys(en) as (keyof Strings)[]

export const toList = (strings: Strings): string[] => KEYS.map((key) => strings[key])

export const fromList = (list: string[]): Strings => Object.fromEntries(KEYS.map((key, i) => [key, list[i]])) as Strings
