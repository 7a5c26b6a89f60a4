export { startSmtpReceiver } from './receiver';
export { startImapPolling } from './imap';
export { processStoredEmails, processInbound, storeInbound } from './ingest';
export { configureAttachments } from './attachments';
export { emailRoutes } from './routes';
