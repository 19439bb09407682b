"""For researchers: checks across reports, corrections that keep the published value, the data
dictionary, convenience views and the HTML quality report.

    crossreport      carry.cross_year, report.identical_tables, report.duplicate, text.table_mismatch
    statements       the numbers a report's prose states (for text.table_mismatch)
    corrections      corrections/corrections.csv → the `corrections` dataset and corrected cells
    dictionary       docs/data-dictionary.md from the schemas and the template
    views            the wide `requests` view and DuckDB examples
    quality_report   `ogi report`: one self-contained HTML page with plots
    commands         `ogi check`, `ogi report`, `ogi correct` (typer-compatible functions)
"""
