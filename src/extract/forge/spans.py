"""The three tables of a forged report laid out as the official template prints them.

A `Sheet` lists, row by row, the cells that *start* in that row with their rowspan and colspan,
as an HTML table or a Word table with merged cells does. Every renderer draws from it, so all
formats print the same shape: table 二 in four (2019: five) blocks, each with its 第二十条 heading
and 信息内容 header; table 三 under a three-row header with the vertical 三、本年度办理结果 and the
（三）…（六） groups spanning their items; table 四 under its three-row header with one row of 15.

A line break inside a cell (商业 / 企业) is a ``"\\n"`` in `Span.text`.
"""

from __future__ import annotations

from dataclasses import dataclass

from extract import template as tpl
from extract.forge.model import CellKey, Printed, Report

SUM_RELATION = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

#: printed labels of table 三, as the official form numbers them
REQUEST_LABELS = {
    "new_received": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "（一）予以公开",
    "partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "withheld.state_secret": "1.属于国家秘密",
    "withheld.prohibited_by_law": "2.其他法律行政法规禁止公开",
    "withheld.security_stability": "3.危及“三安全一稳定”",
    "withheld.third_party": "4.保护第三方合法权益",
    "withheld.internal_affairs": "5.属于三类内部事务信息",
    "withheld.process_info": "6.属于四类过程性信息",
    "withheld.enforcement_files": "7.属于行政执法案卷",
    "withheld.query_matters": "8.属于行政查询事项",
    "unavailable.not_held": "1.本机关不掌握相关政府信息",
    "unavailable.needs_creation": "2.没有现成信息需要另行制作",
    "unavailable.unclear": "3.补正后申请内容仍不明确",
    "not_processed.complaint": "1.信访举报投诉类申请",
    "not_processed.repeated": "2.重复申请",
    "not_processed.publication": "3.要求提供公开出版物",
    "not_processed.excessive": "4.无正当理由大量反复申请",
    "not_processed.confirm_existing": "5.要求行政机关确认或重新出具已获取信息",
    "other_handling.no_correction": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other_handling.fee_unpaid": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other_handling.other": "3.其他",
    "other_handling": "（六）其他处理",
    "total_handled": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}
LABEL_TYPO = {"withheld.prohibited_by_law": "2.其他法律行政止公开"}
OUTCOMES_HEADING = "三、本年度办理结果"
REQUEST_GROUP_LABELS = {"withheld": "（三）不予公开", "unavailable": "（四）无法提供",
                        "not_processed": "（五）不予处理", "other_handling": "（六）其他处理"}
APPLICANT_HEADS = {"natural_person": "自然人", "commercial": "商业\n企业", "research": "科研\n机构",
                   "public_interest": "社会公益组织", "legal_services": "法律服务机构", "other_org": "其他",
                   "total": "总计", "org_subtotal": "小计"}

#: table 二 blocks: (heading, header labels per column, rows)
ACTIVE_BLOCKS = {
    "2021": (
        ("第二十条第（一）项", ("本年制发件数", "本年废止件数", "现行有效件数"),
         (("regulations", "规章"), ("normative_documents", "行政规范性文件"))),
        ("第二十条第（五）项", ("本年处理决定数量",), (("licensing", "行政许可"),)),
        ("第二十条第（六）项", ("本年处理决定数量",), (("penalty", "行政处罚"), ("coercion", "行政强制"))),
        ("第二十条第（八）项", ("本年收费金额（单位：万元）",), (("fees", "行政事业性收费"),)),
    ),
    "2019": (
        ("第二十条第（一）项", ("本年新制作数量", "本年新公开数量", "对外公开总数量"),
         (("regulations", "规章"), ("normative_documents", "规范性文件"))),
        ("第二十条第（五）项", ("上一年项目数量", "本年增/减", "处理决定数量"),
         (("licensing", "行政许可"), ("other_services", "其他对外管理服务事项"))),
        ("第二十条第（六）项", ("上一年项目数量", "本年增/减", "处理决定数量"),
         (("penalty", "行政处罚"), ("coercion", "行政强制"))),
        ("第二十条第（八）项", ("上一年项目数量", "本年增/减"), (("fees", "行政事业性收费"),)),
        ("第二十条第（九）项", ("采购项目数量", "采购总金额"), (("procurement", "政府集中采购"),)),
    ),
}
EXTRA_ROW_BLOCK = 0  # local extra rows go under block (一)

REVIEW_HEADS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


@dataclass(frozen=True, eq=False)
class Span:
    """A printed cell: text, extent, and what it is (role, and the truth key for a value)."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    role: str = "value"  # title (block heading), head, label, group, value
    key: CellKey | None = None
    vertical: bool = False  # printed top to bottom (三、本年度办理结果)

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    @property
    def flat(self) -> str:
        """The text with its line breaks removed (what a reader joining lines sees)."""
        return self.text.replace("\n", "")


@dataclass
class Sheet:
    """One table: the cells starting in each row, and how many rows form the header."""

    table: str
    rows: list[list[Span]]
    width: int
    header_rows: int = 0

    def dense(self) -> list[list[Span | None]]:
        """The table as a full matrix; a spanned cell is the same object at every position."""
        grid: list[list[Span | None]] = [[None] * self.width for _ in self.rows]
        for r, row in enumerate(self.rows):
            c = 0
            for span in row:
                while c < self.width and grid[r][c] is not None:
                    c += 1
                for dr in range(span.rowspan):
                    for dc in range(span.colspan):
                        if r + dr < len(grid) and c + dc < self.width:
                            grid[r + dr][c + dc] = span
                c += span.colspan
        return grid

    def origins(self) -> list[list[tuple[int, Span]]]:
        """For each row, (column, span) of the cells starting there."""
        grid = self.dense()
        out = []
        for r, row in enumerate(self.rows):
            starts, seen = [], set()
            for c, span in enumerate(grid[r]):
                if span is not None and id(span) not in seen and span in row:
                    seen.add(id(span))
                    starts.append((c, span))
            out.append(starts)
        return out


def value(report: Report, key: CellKey, colspan: int = 1) -> Span:
    printed = report.cells.get(key) or Printed("", None, "blank")
    return Span(printed.raw, colspan=colspan, key=key)


# ---------------------------------------------------------------- table 二


def active_sheet(report: Report) -> Sheet:
    width = 4
    rows: list[list[Span]] = []
    for i, (heading, heads, block_rows) in enumerate(ACTIVE_BLOCKS[report.template]):
        rows.append([Span(heading, colspan=width, role="title")])
        last = width - len(heads)  # the last header spans what is left
        rows.append([Span("信息内容", role="head")]
                    + [Span(h, colspan=last if j == len(heads) - 1 else 1, role="head") for j, h in enumerate(heads)])
        cols = [c for r in tpl.get(report.template)["active_disclosure"].rows
                if r.key == block_rows[0][0] for c in r.columns]
        for key, label in block_rows:
            row_cols = tpl.get(report.template)["active_disclosure"].row(key).columns
            rows.append([Span(label, role="label")]
                        + [value(report, ("active_disclosure", key, c), last if j == len(row_cols) - 1 else 1)
                           for j, c in enumerate(row_cols)])
        if i == EXTRA_ROW_BLOCK:
            for label, cells in report.extra_rows.items():
                rows.append([Span(label, role="label")]
                            + [Span(cells[c].raw if c in cells else "", role="extra") for c in cols])
    return Sheet("active_disclosure", rows, width, header_rows=0)


# ---------------------------------------------------------------- table 三


def request_label(report: Report, row: str) -> str:
    if report.mess.label_typo and row in LABEL_TYPO:
        return LABEL_TYPO[row]
    return REQUEST_LABELS[row]


def requests_sheet(report: Report) -> Sheet | None:
    rows_present = report.rows("requests")
    if not rows_present:
        return None
    cols = report.request_columns()
    width = 3 + len(cols)
    header = _requests_header(report, cols)
    body: list[list[Span]] = []
    outcome_rows = [r for r in rows_present if r not in ("new_received", "carried_over", "carried_forward")]
    groups = _group_sizes(rows_present)
    for row in rows_present:
        values = [value(report, ("requests", row, c)) for c in cols]
        cells: list[Span] = []
        if row in ("new_received", "carried_over", "carried_forward"):
            cells.append(Span(request_label(report, row), colspan=3, role="label"))
        else:
            if row == outcome_rows[0]:
                cells.append(Span(OUTCOMES_HEADING, rowspan=len(outcome_rows), role="group", vertical=True))
            group = row.split(".")[0] if "." in row else None
            if group:
                if row == next(r for r in rows_present if r.startswith(group + ".")):
                    cells.append(Span(REQUEST_GROUP_LABELS[group], rowspan=groups[group], role="group"))
                cells.append(Span(request_label(report, row), role="label"))
            else:
                cells.append(Span(request_label(report, row), colspan=2, role="label"))
        body.append(cells + values)
    return Sheet("requests", header + body, width, header_rows=len(header))


def _group_sizes(rows: list[str]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for row in rows:
        if "." in row:
            sizes[row.split(".")[0]] = sizes.get(row.split(".")[0], 0) + 1
    return sizes


def _requests_header(report: Report, cols: list[str]) -> list[list[Span]]:
    org_cols = [c for c in cols if c in tpl.REQUEST_ORGS or (c == "org_subtotal" and report.mess.org_subtotal_place
                                                              == "after_orgs")]
    top = [Span(SUM_RELATION, rowspan=3, colspan=3, role="head"), Span("申请人情况", colspan=len(cols), role="head")]
    middle: list[Span] = []
    bottom: list[Span] = []
    for c in cols:
        if c in org_cols:
            if c == org_cols[0]:
                middle.append(Span("法人或其他组织", colspan=len(org_cols), role="head"))
            bottom.append(Span(APPLICANT_HEADS[c], role="head"))
        else:
            label = "法人或其他组织小计" if c == "org_subtotal" else APPLICANT_HEADS[c]
            middle.append(Span(label, rowspan=2, role="head"))
    return [top, middle, bottom]


# ---------------------------------------------------------------- table 四


def review_sheet(report: Report) -> Sheet | None:
    if "review_litigation" not in report.tables:
        return None
    top = [Span("行政复议", colspan=5, role="head"), Span("行政诉讼", colspan=10, role="head")]
    middle = [Span(h, rowspan=2, role="head") for h in REVIEW_HEADS]
    middle += [Span("未经复议直接起诉", colspan=5, role="head"), Span("复议后起诉", colspan=5, role="head")]
    bottom = [Span(h, role="head") for h in REVIEW_HEADS * 2]
    data = [value(report, ("review_litigation", r, c))
            for r in ("review", "litigation_direct", "litigation_after_review") for c in (*tpl.REVIEW_PARTS, "total")]
    return Sheet("review_litigation", [top, middle, bottom, data], 15, header_rows=3)


def sheets(report: Report) -> dict[str, Sheet]:
    """The tables the report prints, by table key (a truncated report lacks table 四)."""
    out = {"active_disclosure": active_sheet(report), "requests": requests_sheet(report),
           "review_litigation": review_sheet(report)}
    return {k: v for k, v in out.items() if v is not None}
