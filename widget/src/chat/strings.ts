// The chat view's strings in the widget's four languages, bundled in the chat chunk.
import type { ChatTexts } from '../../../shared/widget-texts'
import type { Lang } from '../i18n'
import en from './strings/en'
import de from './strings/de'
import es from './strings/es'
import ptBR from './strings/pt-BR'

export type ChatStrings = ChatTexts
export const chatLanguages: Record<Lang, ChatStrings> = { en, 'pt-BR': ptBR, es, de }
