/** The customer's side speaks the customer's language: English, German and French to start. */
export const LANGUAGES = ['en', 'de', 'fr'] as const;
export type Language = (typeof LANGUAGES)[number];

export function languageOf(value: string | null | undefined): Language | null {
  const l = value?.slice(0, 2).toLowerCase();
  return (LANGUAGES as readonly string[]).includes(l ?? '') ? (l as Language) : null;
}

/** From Accept-Language: the first of ours the browser lists, else English. */
export function languageFromHeader(header: string | undefined): Language {
  for (const part of (header ?? '').split(',')) {
    const l = languageOf(part.trim());
    if (l) return l;
  }
  return 'en';
}

const EN = {
  contactTitle: 'Contact us', contactIntro: 'Tell us what you need. A person will answer, and we tell you now by when.',
  name: 'Your name', email: 'Email', phone: 'Phone (optional)', subject: 'Subject', message: 'Your message', requestType: 'What is it about?',
  touchpoint: 'Where did it happen? (optional)', none: '—', attachments: 'Attachments (optional, up to 5 files of 10 MB)', send: 'Send',
  website: 'Leave this field empty', received: 'We have your request', caseNumber: 'Your case number', firstResponse: 'You will have our first answer by',
  resolution: 'We expect to have it resolved by', noStandard: 'We will answer as soon as we can.', emailed: 'We have sent this to you by email too.',
  portalHint: 'You can follow your case in your portal.', thanks: 'Thank you.', errors: 'Please check the form',
  tooMany: 'Too many requests from here. Please try again in a few minutes.', notFound: 'Not found', notFoundText: 'There is nothing here, or it is not yours to see.',
  portal: 'Your portal', signIn: 'Sign in', signInIntro: 'We send you a link by email: no password to remember.', sendLink: 'Email me a sign-in link',
  linkSent: 'Check your email', linkSentText: 'If this address is known to us, a sign-in link is on its way. It works once, for 15 minutes.',
  linkSubject: 'your sign-in link', linkBody: 'Here is your link to sign in to your portal. It works once, for 15 minutes:', linkIgnore: 'If you did not ask for it, ignore this email.',
  confirmSignIn: 'Sign in to your portal', remember: 'Remember this device for 30 days', linkInvalid: 'This link has expired or has been used. Ask for a new one.',
  myCases: 'My cases', signOut: 'Sign out', profile: 'My profile', status: 'Status', owner: 'Looked after by', team: 'team', unowned: 'Waiting for a colleague',
  expected: 'Expected', met: 'met', late: 'late', due: 'due', opened: 'Opened', noCases: 'You have no cases with us yet.',
  conversation: 'Conversation', promises: 'Our promises to you', noPromises: 'No promises on this case yet.', promiseDue: 'by',
  kept: 'kept', open: 'open', renegotiated: 'rescheduled', broken: 'broken', was: 'was',
  you: 'You', us: 'Us', reply: 'Your reply', sendReply: 'Send reply', replied: 'Your reply is with us.',
  close: 'Close my case', closed: 'Your case is closed.', reopen: 'Reopen my case', reopened: 'Your case is open again.', reopenUntil: 'You can reopen it until',
  repeat: 'I had to repeat myself', repeatNote: 'What did you have to tell us again? (optional)', repeatThanks: 'Thank you for telling us. We will learn from it.',
  surveys: 'Questions for you', answer: 'Answer', surveyThanks: 'Thank you. Your answers are with us.', back: 'Back to my cases',
  title: 'Title (e.g. Mrs, Dr)', givenName: 'First name', familyName: 'Surname', firstNameOk: 'You may call me by my first name', language: 'Language',
  preferredChannel: 'How we should reach you', phones: 'Phone numbers (one per line)', save: 'Save', saved: 'Saved.',
  st_new: 'received', st_open: 'in progress', st_waiting_on_customer: 'waiting for you', st_waiting_on_us: 'in progress', st_resolved: 'resolved', st_closed: 'closed',
  ch_email: 'Email', ch_phone: 'Phone', ch_web: 'This portal', ch_chat: 'Chat', ch_in_person: 'In person', ch_other: 'Other',
  addressedAs: 'We address you as', hello: 'Hello', skip: 'Skip to content', question: 'General question',
};
type Words = typeof EN;

const DE: Words = {
  contactTitle: 'Kontakt', contactIntro: 'Sagen Sie uns, was Sie brauchen. Ein Mensch antwortet, und wir sagen Ihnen gleich, bis wann.',
  name: 'Ihr Name', email: 'E-Mail', phone: 'Telefon (freiwillig)', subject: 'Betreff', message: 'Ihre Nachricht', requestType: 'Worum geht es?',
  touchpoint: 'Wo ist es passiert? (freiwillig)', none: '—', attachments: 'Anhänge (freiwillig, bis zu 5 Dateien à 10 MB)', send: 'Senden',
  website: 'Dieses Feld bitte leer lassen', received: 'Wir haben Ihr Anliegen erhalten', caseNumber: 'Ihre Vorgangsnummer', firstResponse: 'Unsere erste Antwort erhalten Sie bis',
  resolution: 'Wir erwarten eine Lösung bis', noStandard: 'Wir antworten so bald wie möglich.', emailed: 'Wir haben Ihnen dies auch per E-Mail geschickt.',
  portalHint: 'Sie können Ihren Vorgang in Ihrem Kundenportal verfolgen.', thanks: 'Vielen Dank.', errors: 'Bitte prüfen Sie das Formular',
  tooMany: 'Zu viele Anfragen von hier. Bitte versuchen Sie es in einigen Minuten erneut.', notFound: 'Nicht gefunden', notFoundText: 'Hier gibt es nichts, oder es ist nicht für Sie bestimmt.',
  portal: 'Ihr Kundenportal', signIn: 'Anmelden', signInIntro: 'Wir senden Ihnen einen Link per E-Mail: kein Passwort, das Sie sich merken müssen.', sendLink: 'Anmeldelink senden',
  linkSent: 'Bitte sehen Sie in Ihre E-Mails', linkSentText: 'Wenn uns diese Adresse bekannt ist, ist ein Anmeldelink unterwegs. Er gilt einmal, 15 Minuten lang.',
  linkSubject: 'Ihr Anmeldelink', linkBody: 'Hier ist Ihr Link zur Anmeldung in Ihrem Kundenportal. Er gilt einmal, 15 Minuten lang:', linkIgnore: 'Wenn Sie ihn nicht angefordert haben, ignorieren Sie diese E-Mail.',
  confirmSignIn: 'Im Kundenportal anmelden', remember: 'Dieses Gerät 30 Tage merken', linkInvalid: 'Dieser Link ist abgelaufen oder wurde schon benutzt. Fordern Sie einen neuen an.',
  myCases: 'Meine Vorgänge', signOut: 'Abmelden', profile: 'Mein Profil', status: 'Status', owner: 'Betreut von', team: 'Team', unowned: 'Wartet auf eine Kollegin oder einen Kollegen',
  expected: 'Erwartet', met: 'eingehalten', late: 'verspätet', due: 'fällig', opened: 'Eröffnet', noCases: 'Sie haben noch keine Vorgänge bei uns.',
  conversation: 'Verlauf', promises: 'Unsere Zusagen an Sie', noPromises: 'Noch keine Zusagen zu diesem Vorgang.', promiseDue: 'bis',
  kept: 'eingehalten', open: 'offen', renegotiated: 'verschoben', broken: 'nicht eingehalten', was: 'vorher',
  you: 'Sie', us: 'Wir', reply: 'Ihre Antwort', sendReply: 'Antwort senden', replied: 'Ihre Antwort ist bei uns angekommen.',
  close: 'Vorgang schließen', closed: 'Ihr Vorgang ist geschlossen.', reopen: 'Vorgang wieder öffnen', reopened: 'Ihr Vorgang ist wieder offen.', reopenUntil: 'Sie können ihn wieder öffnen bis',
  repeat: 'Ich musste mich wiederholen', repeatNote: 'Was mussten Sie uns noch einmal sagen? (freiwillig)', repeatThanks: 'Danke für den Hinweis. Wir lernen daraus.',
  surveys: 'Fragen an Sie', answer: 'Antworten', surveyThanks: 'Vielen Dank. Ihre Antworten sind bei uns angekommen.', back: 'Zurück zu meinen Vorgängen',
  title: 'Anrede/Titel (z. B. Frau, Dr.)', givenName: 'Vorname', familyName: 'Nachname', firstNameOk: 'Sie dürfen mich mit Vornamen ansprechen', language: 'Sprache',
  preferredChannel: 'Wie wir Sie erreichen sollen', phones: 'Telefonnummern (eine pro Zeile)', save: 'Speichern', saved: 'Gespeichert.',
  st_new: 'eingegangen', st_open: 'in Bearbeitung', st_waiting_on_customer: 'wartet auf Sie', st_waiting_on_us: 'in Bearbeitung', st_resolved: 'gelöst', st_closed: 'geschlossen',
  ch_email: 'E-Mail', ch_phone: 'Telefon', ch_web: 'Dieses Portal', ch_chat: 'Chat', ch_in_person: 'Persönlich', ch_other: 'Anders',
  addressedAs: 'Wir sprechen Sie an mit', hello: 'Guten Tag', skip: 'Zum Inhalt springen', question: 'Allgemeine Frage',
};

const FR: Words = {
  contactTitle: 'Nous contacter', contactIntro: 'Dites-nous ce dont vous avez besoin. Une personne vous répondra, et nous vous disons tout de suite quand.',
  name: 'Votre nom', email: 'E-mail', phone: 'Téléphone (facultatif)', subject: 'Objet', message: 'Votre message', requestType: 'De quoi s’agit-il ?',
  touchpoint: 'Où cela s’est-il passé ? (facultatif)', none: '—', attachments: 'Pièces jointes (facultatif, jusqu’à 5 fichiers de 10 Mo)', send: 'Envoyer',
  website: 'Laissez ce champ vide', received: 'Nous avons bien reçu votre demande', caseNumber: 'Votre numéro de dossier', firstResponse: 'Vous aurez notre première réponse avant le',
  resolution: 'Nous prévoyons de la résoudre avant le', noStandard: 'Nous vous répondrons dès que possible.', emailed: 'Nous vous l’avons aussi envoyé par e-mail.',
  portalHint: 'Vous pouvez suivre votre dossier dans votre espace client.', thanks: 'Merci.', errors: 'Veuillez vérifier le formulaire',
  tooMany: 'Trop de demandes depuis cet endroit. Veuillez réessayer dans quelques minutes.', notFound: 'Introuvable', notFoundText: 'Il n’y a rien ici, ou cela ne vous est pas destiné.',
  portal: 'Votre espace client', signIn: 'Se connecter', signInIntro: 'Nous vous envoyons un lien par e-mail : aucun mot de passe à retenir.', sendLink: 'Recevoir un lien de connexion',
  linkSent: 'Consultez vos e-mails', linkSentText: 'Si cette adresse nous est connue, un lien de connexion est en route. Il fonctionne une fois, pendant 15 minutes.',
  linkSubject: 'votre lien de connexion', linkBody: 'Voici votre lien pour vous connecter à votre espace client. Il fonctionne une fois, pendant 15 minutes :', linkIgnore: 'Si vous ne l’avez pas demandé, ignorez cet e-mail.',
  confirmSignIn: 'Se connecter à votre espace client', remember: 'Se souvenir de cet appareil pendant 30 jours', linkInvalid: 'Ce lien a expiré ou a déjà servi. Demandez-en un nouveau.',
  myCases: 'Mes dossiers', signOut: 'Se déconnecter', profile: 'Mon profil', status: 'Statut', owner: 'Suivi par', team: 'équipe', unowned: 'En attente d’un collègue',
  expected: 'Prévu', met: 'respecté', late: 'en retard', due: 'prévu', opened: 'Ouvert le', noCases: 'Vous n’avez pas encore de dossier chez nous.',
  conversation: 'Échanges', promises: 'Nos engagements envers vous', noPromises: 'Pas encore d’engagement sur ce dossier.', promiseDue: 'avant le',
  kept: 'tenu', open: 'en cours', renegotiated: 'reporté', broken: 'non tenu', was: 'auparavant',
  you: 'Vous', us: 'Nous', reply: 'Votre réponse', sendReply: 'Envoyer la réponse', replied: 'Nous avons bien reçu votre réponse.',
  close: 'Clore mon dossier', closed: 'Votre dossier est clos.', reopen: 'Rouvrir mon dossier', reopened: 'Votre dossier est de nouveau ouvert.', reopenUntil: 'Vous pouvez le rouvrir jusqu’au',
  repeat: 'J’ai dû me répéter', repeatNote: 'Qu’avez-vous dû nous redire ? (facultatif)', repeatThanks: 'Merci de nous l’avoir signalé. Nous en tirerons les leçons.',
  surveys: 'Questions pour vous', answer: 'Répondre', surveyThanks: 'Merci. Nous avons bien reçu vos réponses.', back: 'Retour à mes dossiers',
  title: 'Civilité (p. ex. Mme, Dr)', givenName: 'Prénom', familyName: 'Nom', firstNameOk: 'Vous pouvez m’appeler par mon prénom', language: 'Langue',
  preferredChannel: 'Comment vous joindre', phones: 'Numéros de téléphone (un par ligne)', save: 'Enregistrer', saved: 'Enregistré.',
  st_new: 'reçu', st_open: 'en cours', st_waiting_on_customer: 'en attente de votre part', st_waiting_on_us: 'en cours', st_resolved: 'résolu', st_closed: 'clos',
  ch_email: 'E-mail', ch_phone: 'Téléphone', ch_web: 'Cet espace', ch_chat: 'Chat', ch_in_person: 'En personne', ch_other: 'Autre',
  addressedAs: 'Nous nous adressons à vous ainsi', hello: 'Bonjour', skip: 'Aller au contenu', question: 'Question générale',
};

const ALL: Record<Language, Words> = { en: EN, de: DE, fr: FR };
export const words = (language: Language): Words => ALL[language];
export type { Words };
