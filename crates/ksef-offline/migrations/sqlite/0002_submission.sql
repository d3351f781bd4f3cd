-- The KSeF session an invoice was sent in, recorded before the request leaves, so that an
-- invoice whose outcome is unknown (crash, timeout, lost response) is looked up in that
-- session by its hash before any resend.
ALTER TABLE invoices ADD COLUMN ksef_session TEXT;
