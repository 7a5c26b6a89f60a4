export { esc, layout, when, caseNumber, EMBEDDABLE_PAGE_CSP, PAGE_CSP } from './html';
export { words, languageOf, languageFromHeader, LANGUAGES, type Language } from './words';
export { ensureFormParser } from './routes';
