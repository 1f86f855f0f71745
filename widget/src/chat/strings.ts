// The chat view's strings in the widget's four languages, bundled in the chat chunk.
import type { Lang } from '../i18n'
import en from './strings/en'
import de from './strings/de'
import es from './strings/es'
import ptBR from './strings/pt-BR'

export type ChatStrings = typeof en
export const chatLanguages: Record<Lang, ChatStrings> = { en, 'pt-BR': ptBR, es, de }
