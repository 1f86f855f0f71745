import type { ChatStrings } from '../strings'

export default {
  messages: 'Nachrichten',
  message: 'Nachricht',
  send: 'Senden',
  you: 'Sie',
  agent: 'Support',
  servedBy: 'Sie chatten mit {name}.',
  typing: '{name} schreibt…',
  pending: 'Wird gesendet…',
  failed: 'Nicht gesendet.',
  retry: 'Erneut senden',
  endChat: 'Chat beenden',
  ended: 'Dieser Chat ist beendet.',
  newChat: 'Neuen Chat starten',
  reconnecting: 'Verbindung wird wiederhergestellt…',
  offlineIntro: 'Gerade ist niemand erreichbar. Hinterlassen Sie eine Nachricht, wir antworten per E-Mail.',
  sendMessage: 'Nachricht senden',
  offlineSent: 'Danke! Ihre Nachricht wurde gesendet.',
} satisfies ChatStrings
