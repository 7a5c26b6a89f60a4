export { checkReply, suggestedGreeting, type Addressee } from './service';
