"""Checks over the cells found: one report against the template's arithmetic and presence
(`report`, pure, run by the parse), and the collection's reports against each other (`collection`:
carried-over counts across years, copied tables, duplicates, text against table; it reads and
writes the curated store, so it sits above it)."""
