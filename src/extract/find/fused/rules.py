"""What the fused-digit solver promises: its method name, the tie-break rule of each table (quoted
in `cell.ambiguous`), and the limits of its search."""

from __future__ import annotations


METHOD = "text-fused"

#: the tie-break among splits that satisfy every identity, quoted in the `cell.ambiguous` flags
RULE = {
    "requests": "the largest values in the earliest columns (natural persons ask most)",
    "review_litigation": "the largest values in the earliest columns (most cases are upheld)",
    "active_disclosure": "the stock at least each yearly count, a change no larger than its items, an amount at "
                         "least its projects; a dash before digits a minus sign; 本年新公开数量 nearest 本年新制作数量 "
                         "(the documents made this year are the ones published); the smallest change (本年增/减 is "
                         "mostly 0); the fewest digits in the longest cell; repealed no more than issued; then the "
                         "largest values in the "
                         "earliest columns",
}
MAX_CANDIDATES = 5000  # splits of one row kept before the row is given up as unsolvable
MAX_RELAXED = 500  # splits kept of a row none of whose splits keeps its identity
MAX_RELAXED_ROWS = 2  # such rows decided jointly by the column identities; more are left out
SEARCH_BUDGET = 200_000  # nodes of the joint search before the table is given up
MAX_SOLUTIONS = 256  # tied solutions kept to tell which cells are ambiguous
SHOWN_ALTERNATIVES = 4  # alternatives quoted in a flag message
