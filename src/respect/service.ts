/**
 * Respect: before a reply goes to a customer it is checked. The greeting must match the
 * customer's form of address ("Dear Mrs Okafor" until she said "Ada" is fine; formal address is
 * always fine), and offensive language or an insult aimed at the customer is refused. The
 * message says exactly what to change.
 */
import { englishDataset, englishRecommendedTransformers, RegExpMatcher } from 'obscenity';
import { Invalid } from '../core/errors';
import { betterGreeting, fitsAddressee, openerAgrees, readGreeting, type Addressee } from './greeting';
import { insultsIn } from './insults';

export type { Addressee } from './greeting';

const matcher = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });

/** The greeting a reply should open with, for the composer to pre-fill. */
export function suggestedGreeting(customer: Addressee): string {
  return `Dear ${customer.salutation},`;
}

export function checkReply(customer: Addressee, body: string): void {
  const greeting = readGreeting(body);
  if (greeting) {
    const said = [greeting.opener, greeting.addressed].filter(Boolean).join(' ');
    if (!fitsAddressee(greeting, customer)) {
      throw new Invalid('body.body', 'salutation',
        `The greeting says "${said}" but this customer is addressed as "${customer.salutation}". Change the greeting to "${betterGreeting(greeting, customer)}".`);
    }
    if (!openerAgrees(greeting)) {
      throw new Invalid('body.body', 'salutation',
        `The greeting "${said}" does not agree with the title. Change the greeting to "${betterGreeting(greeting, customer)}".`);
    }
  }
  const matches = matcher.getAllMatches(body, true);
  const words = [...new Set(matches.map((m) => body.slice(m.startIndex, m.endIndex + 1)))];
  const insults = insultsIn(body).filter((i) => !words.some((w) => i.includes(w)));
  if (words.length || insults.length) {
    const quoted = [...words, ...insults].map((w) => `"${w}"`).join(', ');
    const why = insults.length ? ' Describe the problem, never the customer.' : '';
    throw new Invalid('body.body', 'offensive_language', `Remove the offensive language before sending: ${quoted}.${why}`);
  }
}
