"""Numbers the prose of a report states about its own tables.

Reports repeat a few of their table's numbers in the running text: 全年共受理政府信息公开申请3119件,
本年度全区共收到70件申请，及时依法依规办结69件，1件结转下年度继续办理, 行政复议案件2件、行政诉讼案件7件.
`stated_numbers` reads them clause by clause (a clause ends at ，；。！？); each is a
*fact* with the table cells it may stand for. The prose is loose about some facts (收到 may or may
not include 上年结转; 予以公开 may include 部分公开), so a fact lists every reading that is fair, and
the text disagrees with the table only when no reading matches (`crossreport.table_mismatch`).

Extraction is conservative: a number must be followed by 件 (or 起 for cases) and stand near its
verb; comparisons (同比, 较上年, 增长, %) and rows of a table printed as text are skipped, so
a missing statement is far more likely than a wrong one.

A request count is read only from a sentence about 政府信息公开 requests (`about_requests`): not
from 共受理申请121510件 in a sentence on 行政审批, nor from 办结171件 of approvals. A combined phrase
(予以公开及部分公开42件) is a fact of neither part. The same filter gives the prose figures of the
pre-2019 reports (`legacy_statements`, by `legacy` row key, with 条 as well as 件).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

CellKey = tuple[str, str, str]

_NEW = ("requests", "new_received", "total")
_CARRIED_OVER = ("requests", "carried_over", "total")
_HANDLED = ("requests", "total_handled", "total")
_GRANTED = ("requests", "granted", "total")
_PARTIAL = ("requests", "partially_granted", "total")
_FORWARD = ("requests", "carried_forward", "total")
_REVIEW = ("review_litigation", "review", "total")
_LITIGATION = (("review_litigation", "litigation_direct", "total"),
               ("review_litigation", "litigation_after_review", "total"))

#: fact -> the readings it may have: each reading is a sum of table cells
FACTS: dict[str, tuple[tuple[CellKey, ...], ...]] = {
    "received": ((_NEW,), (_NEW, _CARRIED_OVER)),
    "handled": ((_HANDLED,),),
    "granted": ((_GRANTED,), (_GRANTED, _PARTIAL)),
    "carried_forward": ((_FORWARD,),),
    "review": ((_REVIEW,),),
    "litigation": (_LITIGATION,),
}
#: what each fact means, for messages and the data dictionary
FACT_WORDS = {
    "received": "requests received (收到/受理/新收 … 申请 N 件)",
    "handled": "requests handled (办结/答复 N 件)",
    "granted": "requests granted (予以公开 N 件)",
    "carried_forward": "requests carried into next year (结转下年度 N 件)",
    "review": "administrative reviews (行政复议 N 件)",
    "litigation": "lawsuits (行政诉讼 N 件)",
}
COLUMN_PREFIX = "stated_"

_NUM = r"(?<![零〇一二两三四五六七八九十百千万亿\d,.])(\d[\d,]*|[零〇一二两三四五六七八九十百千]+)(?![万亿.])"
_GAP = r"[^\d,;。]{0,%d}?"
_REQUEST_GAP = r"[^\d,;。复诉]{0,%d}?"  # no 复议/诉讼 between a verb and 申请: that is a review
_ANSWER_GAP = r"[^\d,;。信息数]{0,4}?"  # 不予公开信息数1854条 counts documents, not answers


def _patterns(unit: str) -> tuple[tuple[str, re.Pattern], ...]:
    """The phrasings of each fact, with `unit` the counting word after a request count (件, or
    件/条 in the pre-2019 reports). A combined phrase (予以公开及部分公开42件) is no fact of either."""
    return tuple((fact, re.compile(p)) for fact, p in (
        ("received", r"(?:收到|受理|接收|新收|接到|共收)" + _REQUEST_GAP % 25 + r"申请" + _REQUEST_GAP % 8
         + r"(?:共计|合计|总计|共|为)?" + _NUM + unit),
        ("received", r"(?:收到|受理|接收|新收|接到)" + _REQUEST_GAP % 6 + _NUM + unit + _REQUEST_GAP % 12 + r"申请"),
        ("handled", r"(?:办结|答复|办理完毕|处理完毕)(?!率)" + _GAP % 15 + _NUM + unit),
        ("handled", _NUM + unit + _GAP % 4 + r"(?:已|均已|全部)?(?:办结|答复完毕|办理完毕)(?!率)"),
        ("granted", r"(?<![不分])(?:予以|同意)公开(?![及和与、或部])" + r"(?:答复)?" + _ANSWER_GAP + _NUM + unit),
        ("partially_granted", r"(?<![及和与、或])(?:同意|予以)?部分公开(?![及和与、或])" + r"(?:答复)?" + _ANSWER_GAP
         + _NUM + unit),
        ("refused", r"(?:不予公开|不同意公开|否决公开)(?![及和与、或])" + r"(?:答复)?" + _ANSWER_GAP + _NUM + unit),
        ("carried_forward", r"结转(?:至)?下(?:一)?年度?" + _GAP % 8 + _NUM + unit),
        ("carried_forward", _NUM + unit + _GAP % 6 + r"结转(?:至)?下(?:一)?年"),
        ("review", r"行政复议(?:案件|申请)?(?:共|共计)?" + _NUM + r"(?:件|起)"),
        ("review", r"(?:被申请)?行政复议" + r"[^\d,;。诉讼]{0,6}?" + _NUM + r"(?:件|起)"),
        ("litigation", r"行政诉讼(?:案件)?(?:共|共计)?" + _NUM + r"(?:件|起)"),
        ("litigation", r"行政诉讼" + r"[^\d,;。复议]{0,6}?" + _NUM + r"(?:件|起)"),
    ))


_PATTERNS = _patterns("件")
_LEGACY_PATTERNS = _patterns("(?:件|条)") + tuple((fact, re.compile(p)) for fact, p in (
    ("proactive", r"主动公开(?:政府)?信息(?:数|总数)?(?:共|共计|为|达)?" + _NUM + r"条"),
    ("fees", r"收取[^\d,;。]{0,12}?(\d[\d,]*(?:\.\d+)?)(万元|元)"),
))
#: facts that count requests: read only from sentences about 政府信息公开 requests
REQUEST_FACTS = frozenset({"received", "handled", "granted", "partially_granted", "refused", "carried_forward", "fees"})
#: words of a sentence about the agency's own requests for government information
_ABOUT_OGI = re.compile(r"政府信息公开|信息公开申请|依申请|公开申请")
#: a topic of its own: a sentence about requests for government information opens it
_OGI_TOPIC = re.compile(r"依申请|信息公开申请|公开申请|政府信息公开的[^。]{0,6}申请")
#: other business an agency counts in 件 (approvals, service windows, petitions, tax, enquiries)
_OTHER_BUSINESS = re.compile(r"审批|许可|办件|窗口|行政服务|便民服务|政务服务|信访|咨询|热线|12345|纳税|减免税|提案|建议")
_HEADING = re.compile(r"^[\s\d]*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）])")
_SENTENCE_END = re.compile(r"[。！？!?]")
_NONE_RECEIVED = re.compile(r"(?:未|没有)(?:收到|受理|接到|接收)" + _REQUEST_GAP % 20 + r"申请")
_NONE_CASES = re.compile(r"(?:未|没有)(?:发生|收到|出现|有)" + r"[^\d,;。]{0,30}?" + r"(行政复议|行政诉讼)(?:(?:和|及|、|或)(行政复议|行政诉讼))?")
_COMBINED_CASES = re.compile(r"(?:行政复议|复议)(?:和|及|与|、|或)(?:行政诉讼|诉讼)|(?:行政诉讼|诉讼)(?:和|及|与|、|或)(?:行政复议|复议)")
_COMPARISON = re.compile(r"同比|较上年|比上年|较去年|比去年|上年度|去年|增长|下降|增加|减少|上升|持平|累计|%|％|率")
_TABLE_ROW = re.compile(r"\d\s*件?\s+\d|\d件\d")  # a table row printed as text: numbers side by side
_CJK_SPACE = re.compile(r"(?<=[^\x00-\x7f])[ \t\u00a0\u3000]+|[ \t\u00a0\u3000]+(?=[^\x00-\x7f])")
_CLAUSE_END = re.compile(r"[，；;。！？!?]|,(?!\d{3})")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


#: fact of a pre-2019 report's prose → the `legacy` row it stands for (spec/legacy.md, keys marked prose)
LEGACY_FACTS = {"proactive": "proactive.items", "received": "requests.received", "handled": "requests.answered",
                "granted": "requests.granted", "partially_granted": "requests.partially_granted",
                "refused": "requests.refused", "review": "review.total", "litigation": "litigation.total",
                "fees": "fees_10k_yuan"}
_UNIT_AFTER = re.compile(r"万元|元|件|条|起")


@dataclass(frozen=True)
class Statement:
    fact: str  # a key of FACTS (or of LEGACY_FACTS)
    value: float
    clause: str  # the clause it was read from, as printed
    raw: str = ""  # the number as printed, with its unit (45条)
    unit: str = ""


def stated_numbers(text: str | Iterable[str]) -> dict[str, Statement]:
    """The first statement of each fact in the prose (`text`, or its lines)."""
    return _first_statements(text, _PATTERNS, FACTS)


def legacy_statements(text: str | Iterable[str]) -> dict[str, Statement]:
    """The prose figures of a pre-2019 report, by `legacy` row key (`LEGACY_FACTS`)."""
    found = _first_statements(text, _LEGACY_PATTERNS, LEGACY_FACTS)
    return {LEGACY_FACTS[fact]: statement for fact, statement in found.items()}


def _first_statements(text, patterns, facts) -> dict[str, Statement]:
    found: dict[str, Statement] = {}
    for clause, about_requests in request_clauses(text):
        for statement in read_clause(clause, patterns, about_requests):
            if statement.fact in facts:
                found.setdefault(statement.fact, statement)
    return found


def stated_columns(text: str | Iterable[str]) -> dict[str, float | None]:
    """The `reports` columns of the stated numbers: ``stated_<fact>``, null when not stated."""
    found = stated_numbers(text)
    return {COLUMN_PREFIX + fact: (found[fact].value if fact in found else None) for fact in FACTS}


def _joined(text: str | Iterable[str]) -> str:
    """The running text as one string. Lines are joined first: PDF lines wrap inside sentences
    and Word HTML breaks its lines between CJK and Latin runs, so only punctuation ends a clause."""
    lines = text.splitlines() if isinstance(text, str) else list(text)
    joined = ""
    for line in (li.strip() for li in lines):
        if not line:
            continue
        if joined and _ascii_word(joined[-1]) and _ascii_word(line[0]):
            joined += " "
        joined += line
    return _CJK_SPACE.sub("", joined)  # 申请 79 件: spaces Word puts between CJK and digits


def sentences(text: str | Iterable[str]) -> list[str]:
    """Sentences of the running text (ended by 。！？)."""
    return [s.strip() for s in _SENTENCE_END.split(_joined(text)) if s.strip()]


def clauses(text: str | Iterable[str]) -> list[str]:
    """Clauses of the running text (a clause ends at ，；。！？)."""
    return [c.strip() for c in _CLAUSE_END.split(_joined(text)) if c.strip()]


def request_clauses(text: str | Iterable[str]) -> list[tuple[str, bool]]:
    """Each clause with whether its sentence is about 政府信息公开 requests (`about_requests`)."""
    out, topic = [], False
    for sentence in sentences(text):
        about, topic = about_requests(sentence, topic)
        out += [(c.strip(), about) for c in _CLAUSE_END.split(sentence) if c.strip()]
    return out


def about_requests(sentence: str, topic: bool) -> tuple[bool, bool]:
    """(the sentence is about requests for government information, the topic after it).

    The sentence filter both eras share: a sentence naming 政府信息公开 / 依申请 is about them; one
    naming other business (行政审批 受理申请121510件, a service window, petitions, tax) without them
    is not; any other follows the topic, which a sentence about 依申请公开 opens and the next
    numbered heading (（三）政府信息管理方面) closes."""
    folded = unicodedata.normalize("NFKC", sentence)
    if _OGI_TOPIC.search(folded):
        topic = True
    elif _HEADING.match(folded):
        topic = False
    if _ABOUT_OGI.search(folded):
        return True, topic
    if _OTHER_BUSINESS.search(folded):
        return False, topic
    return topic, topic


def _ascii_word(char: str) -> bool:
    return char.isascii() and char.isalnum()


def read_clause(clause: str, patterns=_PATTERNS, about_requests: bool = True) -> list[Statement]:
    """The facts one clause states (none for comparisons and table rows; no request count
    unless its sentence is `about_requests`)."""
    folded = unicodedata.normalize("NFKC", clause)
    if _COMPARISON.search(folded) or _TABLE_ROW.search(folded):
        return []
    out: dict[str, Statement] = {}
    combined = bool(_COMBINED_CASES.search(folded))  # 行政复议和行政诉讼案件3件: one count for both
    for fact, pattern in patterns:
        if (combined and fact in ("review", "litigation")) or (fact in REQUEST_FACTS and not about_requests):
            continue
        match = pattern.search(folded)
        value = _amount(match.group(1)) if match and fact == "fees" else number(match.group(1)) if match else None
        if value is not None and fact not in out:
            unit = _UNIT_AFTER.match(folded, match.end(1))
            out[fact] = Statement(fact, value, clause, match.group(1) + (unit.group(0) if unit else ""),
                                  unit.group(0) if unit else "")
    if "received" not in out and about_requests and _NONE_RECEIVED.search(folded):
        out["received"] = Statement("received", 0.0, clause, "0")
    none_cases = _NONE_CASES.search(folded)
    if none_cases:
        for word in filter(None, none_cases.groups()):
            fact = "review" if word == "行政复议" else "litigation"
            out.setdefault(fact, Statement(fact, 0.0, clause, "0"))
    return list(out.values())


def _amount(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def number(text: str) -> float | None:
    """An Arabic (3,119) or Chinese (十二, 两) count; None when it is not one."""
    if text[0].isdigit():
        digits = text.replace(",", "")
        return float(digits) if digits.isdigit() else None
    total, current = 0, None
    for char in text:
        if char in _CN_DIGITS:
            current = _CN_DIGITS[char]
        elif char in _CN_UNITS:
            total += (1 if current is None else current) * _CN_UNITS[char]
            current = None
        else:
            return None
    return float(total + (current or 0))
