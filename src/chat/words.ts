/** What Kept itself says in a chat, in the visitor's language. */
import type { ChatLanguage } from './schema';

const WORDS = {
  en: {
    joined: '{name} has joined the chat.',
    tookOver: '{name} is taking over from {from}. You do not need to repeat anything: they can read this conversation.',
    ended: 'The chat has ended. Thank you!',
    asCase: 'Nobody can answer right now. A person will reply by {when}. Your conversation is kept as case {case}; leave your email and the answer will reach you there too.',
    email: 'Thank you. We will also reach you at {email}.',
  },
  de: {
    joined: '{name} ist jetzt im Chat.',
    tookOver: '{name} übernimmt von {from}. Sie müssen nichts wiederholen: das Gespräch liegt vor.',
    ended: 'Der Chat ist beendet. Vielen Dank!',
    asCase: 'Gerade kann niemand antworten. Ein Mensch antwortet bis {when}. Ihr Gespräch ist als Fall {case} gespeichert; geben Sie Ihre E-Mail an, dann erreicht Sie die Antwort auch dort.',
    email: 'Danke. Wir erreichen Sie auch unter {email}.',
  },
  fr: {
    joined: '{name} a rejoint la conversation.',
    tookOver: '{name} prend le relais de {from}. Inutile de répéter : la conversation est sous ses yeux.',
    ended: 'La conversation est terminée. Merci !',
    asCase: 'Personne ne peut répondre pour l’instant. Une personne vous répondra d’ici {when}. Votre conversation est enregistrée comme dossier {case} ; laissez votre e-mail pour recevoir la réponse là aussi.',
    email: 'Merci. Nous vous joindrons aussi à {email}.',
  },
} as const satisfies Record<ChatLanguage, Record<string, string>>;

export type ChatWord = keyof (typeof WORDS)['en'];

export function say(language: ChatLanguage, key: ChatWord, values: Record<string, string | number> = {}): string {
  return Object.entries(values).reduce<string>((text, [k, v]) => text.replaceAll(`{${k}}`, String(v)), WORDS[language][key]);
}

/** A time as the visitor reads it, in the organisation's zone. */
export function formatWhen(language: ChatLanguage, at: Date, timeZone: string): string {
  const locale = { en: 'en-GB', de: 'de-DE', fr: 'fr-FR' }[language];
  return new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit', timeZone, timeZoneName: 'short' }).format(at);
}
