export { checkReply, suggestedGreeting } from './service';
