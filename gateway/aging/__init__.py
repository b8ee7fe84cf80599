"""Aging of a customer's receivables and notes, its monthly sales and DSO (DESIGN §3b
"Terms, notes, aging, DSO"; seed 004 §3.0, §4.3)."""
