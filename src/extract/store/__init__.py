"""The curated store: the datasets' schemas with their column descriptions (`datasets`,
`descriptions`), Parquet reads and atomic partition writes under the curated lock, curation of
parse results (`curate`), incremental runs over the raw archive (`incremental`), researchers'
corrections (`corrections`) and the neighbouring years' data (`neighbours`)."""
