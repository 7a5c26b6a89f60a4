export { startSmtpReceiver } from './receiver';
export { startImapPolling } from './imap';
export { processStoredEmails, processInbound, storeInbound } from './ingest';
export { configureAttachments, storeAttachments, linkAttachments, attachmentPath, attachmentMaxBytes, attachToReply, replyAttachments } from './attachments';
export { configureMailTrust } from './authentication';
export { emailRoutes } from './routes';
