"""The units a table cell may print after its number (0件, 3人次, 12.5万元).

One list for every reader of numbers: `values` strips them from a cell, the fused-digit reader
lets a run of digits end in one, the legacy reader also knows the units of the pre-2019 rows.
"""

from __future__ import annotations


#: units printed after a count or an amount in the 2019/2021 tables, longest first where one
#: starts another (人次 before 次, 万元 and 亿元 before 元)
UNITS = ("人次", "万元", "亿元", "件", "个", "项", "次", "份", "条", "宗", "起", "家", "元")

#: units of the pre-2019 lists, printed in a 计量单位 column or after a row label: also trainees (人),
#: issues of a gazette (期), sessions (场), articles (篇); not 宗 or 起, with which labels end (提起)
LEGACY_UNITS = ("人次", "万元", "条", "件", "元", "人", "次", "个", "项", "份", "期", "场", "家", "篇")

#: the units one character long: what OCR may read as a trailing character of a number cell
UNIT_CHARS = frozenset(u for u in UNITS if len(u) == 1)
