import type { ChatStrings } from '../strings'

export default {
  messages: 'Mensajes',
  message: 'Mensaje',
  send: 'Enviar',
  you: 'Tú',
  agent: 'Agente',
  servedBy: 'Estás hablando con {name}.',
  typing: '{name} está escribiendo…',
  pending: 'Enviando…',
  failed: 'No enviado.',
  retry: 'Reintentar',
  endChat: 'Terminar chat',
  ended: 'Este chat ha terminado.',
  newChat: 'Iniciar un nuevo chat',
  reconnecting: 'Reconectando…',
  offlineIntro: 'No hay nadie disponible ahora. Deja un mensaje y te responderemos por correo.',
  sendMessage: 'Enviar mensaje',
  offlineSent: '¡Gracias! Tu mensaje fue enviado.',
} satisfies ChatStrings
