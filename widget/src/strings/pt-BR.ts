import type { Strings } from '../i18n'

export default {
  openChat: 'Abrir chat',
  closeChat: 'Fechar chat',
  title: 'Fale conosco',
  intro: 'Diga quem você é e vamos conectá-lo a um atendente.',
  name: 'Nome',
  email: 'E-mail',
  phone: 'Telefone',
  department: 'Departamento',
  choose: 'Escolha…',
  optional: '(opcional)',
  submit: 'Iniciar chat',
  sending: 'Enviando…',
  loading: 'Carregando…',
  retrying: 'Não foi possível contatar o servidor. Tentando novamente…',
  unreachable: 'Não foi possível contatar o servidor. O que você digitou foi mantido.',
  tryAgain: 'Tentar novamente',
  unavailable: 'O chat não está disponível no momento.',
  fixErrors: 'Corrija os campos destacados.',
  required: 'Este campo é obrigatório.',
  invalidEmail: 'Informe um e-mail válido.',
  invalidValue: 'Este valor não é aceito.',
  tooLong: 'Este texto é longo demais.',
  known: (name?: string) =>
    `Tudo certo${name ? `, ${name}` : ''}. Um atendente falará com você em breve.`,
} satisfies Strings
