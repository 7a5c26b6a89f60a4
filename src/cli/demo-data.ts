/** Names and words for the demo organisation; a seeded random source makes every seed identical. */
export function randomSource(seed = 20261125) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => Math.floor(min + next() * (max - min + 1)),
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!,
    chance: (p: number) => next() < p,
  };
}

export const GIVEN = ['Ada', 'Bruno', 'Chiara', 'Dmitri', 'Elif', 'Femi', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemi', 'Lars', 'Maya', 'Nikhil', 'Olga', 'Pablo', 'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Viktor', 'Wen', 'Ximena', 'Yusuf', 'Zoe', 'Aoife', 'Bilal', 'Carmen', 'Dara'];
export const FAMILY = ['Okafor', 'Rossi', 'Novak', 'Yilmaz', 'Adeyemi', 'Tanaka', 'Silva', 'Berg', 'Kowalski', 'Haddad', 'Murphy', 'Singh', 'Dubois', 'Garcia', 'Lindqvist', 'Osei', 'Petrov', 'Nguyen', 'Moreau', 'Schmidt', 'Costa', 'Kaya', 'Walsh', 'Mensah', 'Ivanova'];
/** Given names that go with Mrs/Ms; the others with Mr. Dr and Mx for anyone, now and then. */
export const FEMININE = new Set(['Ada', 'Chiara', 'Elif', 'Grace', 'Ines', 'Kemi', 'Maya', 'Olga', 'Rosa', 'Uma', 'Wen', 'Ximena', 'Zoe', 'Aoife', 'Carmen']);
export function titleFor(given: string, roll: number): string {
  if (roll < 0.06) return 'Dr';
  if (roll < 0.09) return 'Mx';
  if (!FEMININE.has(given)) return 'Mr';
  return roll < 0.6 ? 'Mrs' : 'Ms';
}
export const SEGMENTS = ['consumer', 'consumer', 'consumer', 'small business', 'trade', 'vip'] as const;
export const DEPARTMENTS = ['Customer Service', 'Logistics', 'Billing', 'Sales', 'Product', 'Warehouse', 'IT', 'Quality'] as const;
export const TOUCHPOINTS = ['buy', 'deliver', 'bill', 'get help', 'return', 'renew'] as const;
export const CASE_TYPES = [
  { type: 'question', subjects: ['Question about my order', 'Does the sofa come in blue?', 'Opening hours at Leeds store', 'Warranty terms for the dishwasher'] },
  { type: 'delivery', subjects: ['Parcel never arrived', 'Delivery slot missed', 'Wrong address on delivery note', 'Driver left parcel outside'] },
  { type: 'billing', subjects: ['Charged twice for one order', 'Invoice missing VAT number', 'Refund not received', 'Direct debit failed'] },
  { type: 'complaint', subjects: ['Rude call centre experience', 'Item arrived damaged', 'Promised call back never came', 'Third time asking about this'] },
  { type: 'return', subjects: ['Return label not working', 'Want to return a chair', 'Exchange for a different size'] },
  { type: 'fault', subjects: ['Washing machine leaking', 'App will not log me in', 'Lamp flickers after a week'] },
] as const;
export const CHANNEL_MIX = ['email', 'email', 'email', 'phone', 'phone', 'chat', 'chat', 'web', 'in_person', 'other'] as const;
export const PROMISES = ['I will call you back tomorrow before noon', 'Replacement ships within 2 days', 'Refund will be on your card by Friday', 'I will confirm the new delivery slot today', 'Engineer visit booked; I will confirm the time'];

/** Survey comments, by how the customer felt: what the demo's monthly review reads themes from. */
export const COMMENTS = {
  promoter: ['Quick answer and the delivery was rebooked the same day. Great service.', 'Friendly staff who kept their promise to call back.', 'The replacement arrived early, very impressed.',
    'Easy to reach a real person, problem solved in one call.', 'They told me exactly when I would hear back, and they did.', 'Great service from start to finish, thank you.'],
  passive: ['Fine in the end, but it took two emails to get an answer.', 'Delivery was late but the team kept me informed.', 'Okay experience, the website could be clearer about returns.',
    'Good once I got through, waiting time on the phone was long.'],
  detractor: ['Nobody called me back although it was promised. Very disappointed.', 'I had to explain my problem three times to different people.', 'Delivery missed twice and no apology. Terrible service.',
    'Waiting time on the phone was awful and the refund is still not there.', 'Charged twice and it took weeks to fix. Frustrating and slow.', 'The driver was rude and the sofa was damaged.'],
} as const;

/** How customers open a case, by its type: whole sentences, so the listening screen reads them as English. */
export const DETAILS_MESSAGE = 'Here are the photos and the order number you asked for. I hope this helps to sort it out quickly.';
export const FIRST_MESSAGES: Record<string, readonly string[]> = {
  question: ['Hello, I have a question about my order and would like to know when it will be ready. Thank you for your help.', 'Hi there, could you tell me whether this sofa is also available in blue? I would like to order it this week.'],
  delivery: ['Hello, my parcel was supposed to arrive yesterday but it never came, and the tracking page has not changed for three days.', 'Hi, the driver missed my delivery slot again and I took the day off work for it. When will it come?'],
  billing: ['Hello, I have been charged twice for the same order and I would like the second payment refunded as soon as possible.', 'Hi, my invoice is missing our VAT number and our accounts team cannot pay it without it. Could you send a new one?'],
  complaint: ['I am very unhappy: this is the third time I am writing about the same problem and nobody has called me back as promised.', 'The sofa arrived damaged and the person on the phone was rude to me. I expect much better than this.'],
  return: ['Hello, the return label you sent me does not work at the post office. Could you send me a new one please?', 'Hi, I would like to return a chair that does not fit in our dining room. What do I need to do?'],
  fault: ['Hello, our washing machine started leaking after two weeks and the kitchen floor is wet every time we use it.', 'Hi, the lamp I bought last month flickers all the time now. Is this covered by the warranty?'],
};

/**
 * What customers who do not write English say (a share of the demo's customers; Spanish and Polish
 * speakers write to us in English here: the listening screen does not read those two reliably yet): survey comments
 * by mood and first messages, so the listening screen reads sentiment and themes per language.
 */
export const COMMENTS_BY_LANGUAGE: Record<string, Record<keyof typeof COMMENTS, readonly string[]>> = {
  fr: {
    promoter: ['Réponse rapide et livraison reprogrammée le jour même. Excellent service, merci beaucoup.', 'Personnel très aimable qui a tenu sa promesse de me rappeler.'],
    passive: ['Correct au final, mais il a fallu deux courriels pour obtenir une réponse.', 'La livraison était en retard mais l’équipe m’a tenu informé.'],
    detractor: ['Personne ne m’a rappelé alors que c’était promis. Très déçu du service.', 'Livraison manquée deux fois et aucune excuse. Service vraiment lamentable.'],
  },
  de: {
    promoter: ['Schnelle Antwort und die Lieferung wurde noch am selben Tag neu geplant. Toller Service, vielen Dank.', 'Sehr freundliche Mitarbeiter, die ihr Versprechen gehalten haben.'],
    passive: ['Am Ende in Ordnung, aber ich musste zweimal schreiben, bis jemand geantwortet hat.', 'Die Lieferung kam spät, aber das Team hat mich auf dem Laufenden gehalten.'],
    detractor: ['Niemand hat mich zurückgerufen, obwohl es versprochen war. Sehr enttäuschend.', 'Die Lieferung ist zweimal ausgefallen und keine Entschuldigung. Schrecklicher Service.'],
  },
};
export const FIRST_MESSAGE_BY_LANGUAGE: Record<string, string> = {
  fr: 'Bonjour, j’ai un problème avec ma commande et j’aimerais que quelqu’un me rappelle rapidement, s’il vous plaît.',
  de: 'Guten Tag, ich habe ein Problem mit meiner Bestellung und bitte um einen baldigen Rückruf. Vielen Dank.',
};

/** How often each kind of case comes in: mostly questions and deliveries, complaints now and then. */
const TYPE_WEIGHTS: Record<string, number> = { question: 30, delivery: 22, billing: 15, complaint: 7, return: 13, fault: 13 };
export function pickCaseType(rnd: ReturnType<typeof randomSource>): (typeof CASE_TYPES)[number] {
  let roll = rnd.next() * Object.values(TYPE_WEIGHTS).reduce((a, b) => a + b, 0);
  for (const k of CASE_TYPES) {
    roll -= TYPE_WEIGHTS[k.type]!;
    if (roll < 0) return k;
  }
  return CASE_TYPES[0];
}
