-- Invoices with attachments (Zalacznik) may be sent in batch sessions only (except technical
-- corrections): the workers route them by this flag.
ALTER TABLE invoices ADD COLUMN has_attachment INTEGER NOT NULL DEFAULT 0;
