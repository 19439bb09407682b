"""Checks over the cells found: one report against the template's arithmetic and presence
(`report`)."""
