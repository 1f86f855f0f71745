import type { SubmitTexts } from '../../../shared/widget-texts'
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
  loading: 'Carregando…',
  retrying: 'Não foi possível contatar o servidor. Tentando novamente…',
  unavailable: 'O chat não está disponível no momento.',
  notSetUp: 'Este site ainda não está configurado para o chat.',
  known: 'Tudo certo. Um atendente falará com você em breve.',
  knownAs: 'Tudo certo, {name}. Um atendente falará com você em breve.',
} satisfies Strings

/** From the form's submit on: in the submit and chat chunks (submit-texts.ts), not in its language chunk. */
export const submit = {
  sending: 'Enviando…',
  unreachable: 'Não foi possível contatar o servidor. O que você digitou foi mantido.',
  tryAgain: 'Tentar novamente',
  fixErrors: 'Corrija os campos destacados.',
  required: 'Este campo é obrigatório.',
  invalidEmail: 'Informe um e-mail válido.',
  invalidValue: 'Este valor não é aceito.',
  tooLong: 'Este texto é longo demais.',
  humanCheck: 'Conclua a verificação de segurança.',
} satisfies SubmitTexts
