export { esc, layout, when, caseNumber, languageLinks, EMBEDDABLE_PAGE_CSP, PAGE_CSP } from './html';
export { words, languageOf, languageFromHeader, LANGUAGES, type Language } from './words';
export { ensureFormParser, formOf, UPLOAD_BODY_LIMIT } from './routes';
export { checkUploads, MAX_FILES, MAX_FILE_BYTES, type Upload } from './uploads';
