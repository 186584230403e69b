"""Value rules of the CRM, no I/O: names and text folding, phone numbers (E.164), e-mail addresses."""
