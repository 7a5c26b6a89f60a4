-- Mail that cannot be spoofed into a case. Outgoing mail on a case carries the case's secret
-- (in the subject token [K-12-secret] and in the Reply-To plus-address); a reply proves it is
-- part of the conversation by carrying it back. The secret lives with the mail that carried
-- it, so a case's secrets are exactly those of its outgoing mail.
ALTER TABLE outbound_emails ADD COLUMN reply_secret text;
ALTER TABLE outbound_emails ADD COLUMN reply_to text;
CREATE INDEX outbound_emails_case_secret_idx ON outbound_emails (case_id, reply_secret) WHERE reply_secret IS NOT NULL;
