/**
 * Respect: before a reply goes to a customer it is checked. The greeting must match the
 * customer's form of address ("Dear Mrs Okafor" until she said "Ada" is fine), and offensive
 * language is refused. The message says exactly what to change.
 */
import { englishDataset, englishRecommendedTransformers, RegExpMatcher } from 'obscenity';
import { Invalid } from '../core/errors';

const matcher = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });

const GREETING = /^\s*(dear|hi|hello|hey|good (?:morning|afternoon|evening))\s+([^,\n!]+?)\s*[,!\n]/i;

export interface Addressee {
  salutation: string;
  name: string;
}

/** The greeting a reply should open with, for the composer to pre-fill. */
export function suggestedGreeting(customer: Addressee): string {
  return `Dear ${customer.salutation},`;
}

export function checkReply(customer: Addressee, body: string): void {
  const greeting = GREETING.exec(body);
  if (greeting) {
    const used = greeting[2]!.trim().replace(/\s+/g, ' ');
    if (used.toLowerCase() !== customer.salutation.toLowerCase()) {
      throw new Invalid('body.body', 'salutation',
        `The greeting says "${greeting[1]} ${used}" but this customer is addressed as "${customer.salutation}". Change the greeting to "${greeting[1]} ${customer.salutation}".`);
    }
  }
  const matches = matcher.getAllMatches(body, true);
  if (matches.length) {
    const words = [...new Set(matches.map((m) => body.slice(m.startIndex, m.endIndex + 1)))];
    throw new Invalid('body.body', 'offensive_language', `Remove the offensive language before sending: ${words.map((w) => `"${w}"`).join(', ')}.`);
  }
}
