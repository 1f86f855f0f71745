import type { ChatStrings } from '../strings'

export default {
  messages: 'Mensagens',
  message: 'Mensagem',
  send: 'Enviar',
  you: 'Você',
  agent: 'Atendente',
  servedBy: 'Você está conversando com {name}.',
  typing: '{name} está digitando…',
  pending: 'Enviando…',
  failed: 'Não enviada.',
  retry: 'Tentar de novo',
  endChat: 'Encerrar chat',
  ended: 'Este chat foi encerrado.',
  newChat: 'Iniciar um novo chat',
  reconnecting: 'Reconectando…',
  offlineIntro: 'Ninguém está disponível agora. Deixe uma mensagem e responderemos por e-mail.',
  sendMessage: 'Enviar mensagem',
  offlineSent: 'Obrigado! Sua mensagem foi enviada.',
} satisfies ChatStrings
