export { startSmtpReceiver } from './receiver';
export { startImapPolling } from './imap';
export { processStoredEmails, processInbound, storeInbound } from './ingest';
export { configureAttachments, attachmentPath } from './attachments';
export { configureMailTrust } from './authentication';
export { emailRoutes } from './routes';
