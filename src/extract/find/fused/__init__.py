"""Tables flattened into running text: labels followed by runs of fused digits.

Web archives, search-engine caches and copy-paste keep a report page's words but lose its table
markup, so the cells of a row run together: ``一、本年新收政府信息公开申请数量713000074`` is
71 | 3 | 0 | 0 | 0 | 0 | 74. The template's arithmetic recovers them.

    find_regions       numbered section titles (or header markers) → the text span of each table
    text_to_pieces     a span → label text and runs (a digit before ``2.`` is the next item's number)
    locate_*           each run → the row whose label ends the text before it (tolerant, group-aware)
    parse_run          a run → symbols, with where a cell must end (spaces, marks, units, a change
                       of digit width, a minus sign) and where it cannot (inside a decimal)
    row_candidates     every split of a run into the row's cells that keeps the row's identity
    solve_requests     one split per row of table 三 so that balance and outcomes sum hold in every
                       column (branch and bound over the rows with several splits)
    solve_review       table 四: the 15-cell run as three rows of five, each adding up
    solve_active       table 二: no identity binds it; the numbers the report's prose states narrow
                       its splits (`extract.find.disambiguate`), then a documented plausibility rule
                       chooses; the splits left open travel with the cells (`alternatives`), for
                       the agency's other years to narrow at curation

Honesty. A split never gives a number a leading zero (``05``). When several splits satisfy every
identity that applies, the choice follows `RULE` and each cell whose value depends on it is
flagged `cell.ambiguous` with the other splits. When no split keeps a row's identity, the
column identities choose among all its splits, and each identity the kept split still breaks
is flagged with origin ``source`` (the printed digits themselves disagree); a row that several
splits fit equally badly is left out (`fused.unsolved`). Blank cells leave no digit behind:
a row with fewer digits than cells is left out, the table gets `fused.blanks_lost`, and no
failure in that export is blamed on the source.

Entry points: `read_fused(doc, tables)` and `read_fused_text(text, tables)` → `Extraction`
(cells with method ``text-fused``, issues as `Finding`); `locate(text)` gives the rows found
before solving.
"""

from extract.find.fused.reader import locate, read_fused, read_fused_text
from extract.find.fused.rules import METHOD

__all__ = ["METHOD", "locate", "read_fused", "read_fused_text"]
