"""Forged pre-2019 reports (spec/legacy.md): a statistics table from known numbers, in both families.

- ``"fujian"``: the provincial list of 2008–2018 (指标名称 / 计量单位 / 2016年度 / 历年累计), in its
  early wording (网站公开, 受理依申请公开信息总数, 否决公开答复数, 行政申诉数) or its 2014 wording (主动公开
  文件数, 信函、传真申请数, 政府信息公开收费减免金额 in 元, 接受行政诉讼、举报数);
- ``"national"``: the 《政府信息公开情况统计表》 of 国办发〔2014〕32号 (统计指标 / 单位 / 统计数, nine sections,
  被依法纠错数 under both 行政复议 and 行政诉讼), sometimes with a 序号 column or one figure column per
  level (区政府统计数 / 区直单位统计数 / 乡镇街道统计数) in the formats that keep a grid.

    report = generate_legacy(seed=3, family="national")
    data = render_legacy(report, "fused")      # html, word-html, docx, pdf, text, fused
    report.truth()                             # every cell the file holds, in the template's units

The sums hold (channels = received, answers = answered, refusals = refused, 历年累计 ≥ 本年度) and the
prose states a few of the table's figures, next to a count of approval applications that is not one.
With ``prose_only`` the report has no table: its truth is the figures its sentences state.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import date
from html import escape

import pandas as pd

from extract import template as tpl
from extract.forge.model import AGENCIES, Printed
from extract.forge.prose import cn_date
from extract.forge.spans import Sheet, Span

FAMILIES = ("fujian", "national")
FORMATS = ("html", "word-html", "docx", "pdf", "text", "fused")
LEVEL_HEADS = ("区政府统计数", "区直单位统计数", "乡镇街道统计数")

# (row key or None for a heading, printed label, unit); the values follow from the key
_FUJIAN_EARLY = (
    ("proactive.items", "主动公开信息数", "条"), ("proactive.website", "其中：1.网站公开", "条"),
    ("proactive.gazette", "2.政府公报公开", "条"), ("requests.received", "受理依申请公开信息总数", "条"),
    ("requests.in_person", "其中：1.当面申请数", "条"), ("requests.fax", "2.传真申请数", "条"),
    ("requests.email", "3.电子邮件申请数", "条"), ("requests.online", "4.网上申请数", "条"),
    ("requests.letter", "5.信函申请数", "条"), ("requests.other_channel", "6.其它形式申请数", "条"),
    ("requests.answered", "对申请的答复数", "条"), ("requests.granted", "其中：1.同意公开答复数", "条"),
    ("requests.partially_granted", "2.同意部分公开答复数", "条"), ("requests.refused", "3.否决公开答复数", "条"),
    ("review.total", "行政复议数", "件"), ("litigation.total", "行政诉讼数", "件"), ("complaints", "行政申诉数", "件"),
)
_FUJIAN_LATE = (
    ("proactive.items", "主动公开文件数", "条"), ("proactive.website", "其中：1、政府网站公开数", "条"),
    ("proactive.gazette", "2、政府公报公开数", "条"), ("requests.received", "受理政府信息依申请公开总数", "条"),
    ("requests.in_person", "其中：1、当面申请数", "条"), ("requests.online", "2、网上申请数", "条"),
    ("requests.letter_or_fax", "3、信函、传真申请数", "条"), ("requests.answered", "对申请的答复总数", "条"),
    ("requests.granted", "其中：1、同意公开答复数", "条"), ("requests.partially_granted", "2、同意部分公开答复数", "条"),
    ("requests.refused", "3、不予公开答复数", "条"), ("requests.other_answers", "4、其他类型答复数", "条"),
    ("fees_10k_yuan", "政府信息公开收费减免金额", "元"), ("complaints", "接受行政诉讼、举报数", "件"),
    ("review.total", "行政复议数", "件"), ("litigation.total", "行政诉讼数", "件"),
)
_NATIONAL = (
    (None, "一、主动公开情况", ""),
    ("proactive.items", "（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）", "条"),
    ("proactive.normative_documents", "其中：主动公开规范性文件数", "条"),
    ("proactive.normative_issued", "制发规范性文件总数", "件"),
    (None, "（二）通过不同渠道和方式公开政府信息的情况", ""),
    ("proactive.gazette", "1.政府公报公开政府信息数", "条"), ("proactive.website", "2.政府网站公开政府信息数", "条"),
    ("proactive.weibo", "3.政务微博公开政府信息数", "条"), ("proactive.wechat", "4.政务微信公开政府信息数", "条"),
    ("proactive.other_channels", "5.其他方式公开政府信息数", "条"),
    (None, "二、回应解读情况", ""),
    ("response.hot_topics", "（一）回应公众关注热点或重大舆情数（不同方式回应同一热点或舆情计1次）", "次"),
    (None, "（二）通过不同渠道和方式回应解读的情况", ""),
    ("response.press_conferences", "1.参加或举办新闻发布会总次数", "次"),
    ("response.press_conferences_heads", "其中：主要负责同志参加新闻发布会次数", "次"),
    ("response.online_interviews", "2.政府网站在线访谈次数", "次"),
    ("response.online_interviews_heads", "其中：主要负责同志参加政府网站在线访谈次数", "次"),
    ("response.interpretations", "3.政策解读稿件发布数", "篇"), ("response.weibo_wechat", "4.微博微信回应事件数", "次"),
    ("response.other", "5.其他方式回应事件数", "次"),
    (None, "三、依申请公开情况", ""),
    ("requests.received", "（一）收到申请数", "件"), ("requests.in_person", "1.当面申请数", "件"),
    ("requests.fax", "2.传真申请数", "件"), ("requests.online", "3.网络申请数", "件"),
    ("requests.letter", "4.信函申请数", "件"),
    ("requests.closed", "（二）申请办结数", "件"), ("requests.closed_on_time", "1.按时办结数", "件"),
    ("requests.closed_extended", "2.延期办结数", "件"),
    ("requests.answered", "（三）申请答复数", "件"), ("requests.already_public", "1.属于已主动公开范围数", "件"),
    ("requests.granted", "2.同意公开答复数", "件"), ("requests.partially_granted", "3.同意部分公开答复数", "件"),
    ("requests.refused", "4.不同意公开答复数", "件"),
    ("requests.refused.state_secret", "其中：涉及国家秘密", "件"),
    ("requests.refused.commercial_secret", "涉及商业秘密", "件"), ("requests.refused.privacy", "涉及个人隐私", "件"),
    ("requests.refused.security_stability", "危及国家安全、公共安全、经济安全和社会稳定", "件"),
    ("requests.refused.not_gov_info", "不是《条例》所指政府信息", "件"),
    ("requests.refused.other_law", "法律法规规定的其他情形", "件"),
    ("requests.not_this_agency", "5.不属于本行政机关公开数", "件"), ("requests.not_exist", "6.申请信息不存在数", "件"),
    ("requests.asked_to_amend", "7.告知作出更改补充数", "件"),
    ("requests.other_channels", "8.告知通过其他途径办理数", "件"),
    ("review.total", "四、行政复议数量", "件"), ("review.upheld", "（一）维持具体行政行为数", "件"),
    ("review.corrected", "（二）被依法纠错数", "件"), ("review.other", "（三）其他情形数", "件"),
    ("litigation.total", "五、行政诉讼数量", "件"),
    ("litigation.upheld", "（一）维持具体行政行为或者驳回原告诉讼请求数", "件"),
    ("litigation.corrected", "（二）被依法纠错数", "件"), ("litigation.other", "（三）其他情形数", "件"),
    ("complaints", "六、举报投诉数量", "件"), ("fees_10k_yuan", "七、依申请公开信息收取的费用", "万元"),
    (None, "八、机构建设和保障经费情况", ""),
    ("org.units", "（一）政府信息公开工作专门机构数", "个"), ("org.reading_points", "（二）设置政府信息公开查阅点数", "个"),
    ("org.staff", "（三）从事政府信息公开工作人员数", "人"),
    ("org.staff_full_time", "1.专职人员数（不包括政府公报及政府网站工作人员数）", "人"),
    ("org.staff_part_time", "2.兼职人员数", "人"),
    ("org.budget_10k_yuan", "（四）政府信息公开专项经费（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费）", "万元"),
    (None, "九、政府信息公开会议和培训情况", ""),
    ("meetings", "（一）召开政府信息公开工作会议或专题会议数", "次"), ("training.sessions", "（二）举办各类培训班数", "次"),
    ("training.trainees", "（三）接受培训人员数", "人次"),
)
LOCAL_ROW_SHARE = 0.15  # reports printing a local indicator (主动公开行政执法信息数)
_LOCAL_LABEL = {"fujian": "3.主动公开行政执法信息数", "national": "6.主动公开行政执法信息数"}
_SCALE = {"city": 1.0, "county": 0.5, "department": 0.25, "township": 0.06}


@dataclass
class LegacyRow:
    key: str | None  # None: a section heading, no figures
    label: str
    unit: str
    values: dict[str, Printed] = field(default_factory=dict)  # column → as printed


@dataclass
class LegacyReport:
    agency: str
    level: str
    year: int
    family: str
    published: date
    columns: list[str]  # this_year, cumulative | extra_col.<n>
    heads: list[str]  # the header text of each column
    rows: list[LegacyRow]
    seed: int = 0
    numbered: bool = False  # a 序号 column in front
    prose_only: bool = False  # no table: the figures are stated in sentences
    stated: dict[str, int] = field(default_factory=dict)  # prose key → figure the text states
    variant: str = ""  # fujian-early, fujian-late or national: the list's wording

    @property
    def title(self) -> str:
        return f"{self.agency}{self.year}年政府信息公开工作年度报告"

    def truth(self) -> pd.DataFrame:
        """Every `legacy` cell the file holds: value in the template's unit (元 → 万元), raw as printed."""
        records = []
        if self.prose_only:
            records = [{"table": tpl.LEGACY_TABLE, "row": k, "column": "this_year", "value": float(v),
                        "kind": "number", "raw": str(v)} for k, v in self.stated.items()]
        else:
            for row in self.rows:
                for col, p in row.values.items():
                    if row.key is None:
                        continue
                    value = p.value / 10000 if p.value is not None and row.unit == "元" else p.value
                    records.append({"table": tpl.LEGACY_TABLE, "row": row.key, "column": col,
                                    "value": None if value is None else round(value, 6), "kind": p.kind,
                                    "raw": p.raw})
        return pd.DataFrame.from_records(records, columns=["table", "row", "column", "value", "kind", "raw"])


# ---------------------------------------------------------------- numbers


def _counts(rng: random.Random, level: str, family: str) -> dict[str, float]:
    """The year's figures, every sum of the table holding."""
    scale = _SCALE.get(level, 0.3)
    n = lambda typical: int(typical * scale * rng.lognormvariate(0, 0.6)) if rng.random() < 0.9 else 0  # noqa: E731
    out: dict[str, float] = {}
    items = n(1500) + rng.randint(0, 9)
    out["proactive.items"] = items
    out["proactive.website"] = max(0, items - rng.randint(0, max(1, items // 10)))
    out["proactive.gazette"] = rng.randint(0, items - out["proactive.website"])
    received = 0 if rng.random() < 0.3 else n(60) + 1
    channels = (("requests.in_person", "requests.fax", "requests.email", "requests.online", "requests.letter",
                 "requests.other_channel") if family == "fujian-early" else
                ("requests.in_person", "requests.online", "requests.letter_or_fax") if family == "fujian-late" else
                ("requests.in_person", "requests.fax", "requests.online", "requests.letter"))
    out.update(_deal(rng, received, channels, (3, 0.3, 1, 4, 1, 0.2)))
    out["requests.received"] = received
    answers = ("requests.granted", "requests.partially_granted", "requests.refused")
    if family == "fujian-late":
        answers += ("requests.other_answers",)
    if family == "national":
        answers = ("requests.already_public", *answers, "requests.not_this_agency", "requests.not_exist",
                   "requests.asked_to_amend", "requests.other_channels")
    out.update(_deal(rng, received, answers, (8, 1.5, 1, 1, 1, 1, 0.5, 0.5)))
    out["requests.answered"] = received
    if family == "national":
        reasons = [r.key for r in tpl.LEGACY.rows if r.key.startswith("requests.refused.")]
        out.update(_deal(rng, int(out["requests.refused"]), reasons, (1,) * len(reasons)))
        extended = rng.randint(0, received // 10) if received else 0
        out.update({"requests.closed": received, "requests.closed_on_time": received - extended,
                    "requests.closed_extended": extended})
        for part in ("review", "litigation"):
            cases = rng.choice((0, 0, 0, 1, 2, rng.randint(0, 8)))
            out.update(_deal(rng, cases, (f"{part}.upheld", f"{part}.corrected", f"{part}.other"), (5, 1, 1)))
            out[f"{part}.total"] = cases
        out["proactive.normative_documents"] = rng.randint(0, max(1, items // 20))
        out["proactive.normative_issued"] = out["proactive.normative_documents"] + rng.randint(0, 5)
        for key in ("proactive.weibo", "proactive.wechat", "proactive.other_channels"):
            out[key] = rng.randint(0, items)
        for key in (r.key for r in tpl.LEGACY.rows if r.key.startswith("response.")):
            out[key] = n(30)
        out["response.press_conferences_heads"] = min(out["response.press_conferences_heads"],
                                                      out["response.press_conferences"])
        out["response.online_interviews_heads"] = min(out["response.online_interviews_heads"],
                                                      out["response.online_interviews"])
        full, part = rng.randint(0, 3), rng.randint(0, 12)
        out.update({"org.units": rng.randint(0, 2), "org.reading_points": rng.randint(0, 6),
                    "org.staff": full + part, "org.staff_full_time": full, "org.staff_part_time": part,
                    "org.budget_10k_yuan": round(rng.choice((0, 0, rng.uniform(0.5, 60))), 2),
                    "meetings": rng.randint(0, 6), "training.sessions": rng.randint(0, 5),
                    "training.trainees": rng.randint(0, 300), "fees_10k_yuan": 0.0})
    else:
        out["review.total"] = rng.choice((0, 0, 0, 1, 2))
        out["litigation.total"] = rng.choice((0, 0, 0, 1))
        out["fees_10k_yuan"] = rng.choice((0, 0, 0, 0, rng.randint(1, 30) * 10))  # 元 in the Fujian list
    out["complaints"] = rng.choice((0, 0, 0, 1, 3))
    return out


def _deal(rng: random.Random, total: int, keys, weights) -> dict[str, int]:
    counts = dict.fromkeys(keys, 0)
    for key in rng.choices(list(keys), weights=list(weights)[:len(keys)], k=total) if total else ():
        counts[key] += 1
    return counts


def _cumulative(rng: random.Random, year_counts: dict[str, float], years: int) -> dict[str, float]:
    """Running totals since 2008 that keep the sums: earlier years drawn like this one, added up."""
    earlier: dict[str, float] = dict.fromkeys(year_counts, 0)
    busier = 8 if rng.random() < 0.1 else 1  # a quiet year after busy ones: totals two digits longer
    for _ in range(years):
        keep = rng.uniform(0.1, 1.2) * busier
        for key, value in year_counts.items():
            earlier[key] += int(value * keep) if key != "fees_10k_yuan" else 0
    out = {k: year_counts[k] + earlier[k] for k in year_counts}
    for total, parts in (("requests.received", [k for k in out if k in tpl.LEGACY_CHANNELS]),
                         ("requests.answered", [k for k in out if k in tpl.LEGACY_ANSWERS]),
                         ("proactive.items", list(tpl.LEGACY_PROACTIVE_CHANNELS))):
        if total in out and all(p in out for p in parts):
            need = sum(out[p] for p in parts)
            if total in ("requests.received", "requests.answered"):
                out[total] = need
            else:
                out[total] = max(out[total], need)
    return out


def _print(value: float, money: bool) -> Printed:
    text = f"{value:.2f}".rstrip("0").rstrip(".") if money and value != int(value) else str(int(value))
    return Printed(text, float(value), "number")


def report_family(family: str) -> str:
    return "national" if family == "national" else "fujian"


def generate_legacy(seed: int, family: str | None = None, year: int | None = None, agency: int | None = None,
                    prose_only: bool = False, levels: bool | None = None,
                    previous: LegacyReport | None = None) -> LegacyReport:
    """A forged pre-2019 report. `levels`: one figure column per level (national family, grids).
    With `previous` (the same agency's report of the year before, in the same list), each 历年累计
    continues it: last year's total plus this year's figure."""
    rng = random.Random(f"legacy-{seed}")
    family = family or rng.choice(FAMILIES)
    name, level, *_ = AGENCIES[agency if agency is not None else rng.randrange(len(AGENCIES))]
    year = year or (rng.randint(2014, 2018) if family == "national" else rng.randint(2009, 2017))
    variant = family if family == "national" else ("fujian-early" if year < 2014 else "fujian-late")
    layout = {"national": _NATIONAL, "fujian-early": _FUJIAN_EARLY, "fujian-late": _FUJIAN_LATE}[variant]
    counts = _counts(rng, level, variant)
    if family == "national":
        levels = rng.random() < 0.25 if levels is None else levels
        columns = ["this_year", "extra_col.1", "extra_col.2"] if levels else ["this_year"]
        heads = list(LEVEL_HEADS) if levels else ["统计数"]
        figures = {"this_year": counts}
        for col in columns[1:]:  # the departments' and townships' own figures (some report none)
            share = rng.choice((0.0, 0.5, 1.0))
            figures[col] = {k: (round(v * share, 2) if k in tpl.LEGACY_MONEY else int(v * share))
                            for k, v in counts.items()}
        numbered = rng.random() < 0.3
    else:
        columns, heads = ["this_year", "cumulative"], [f"{year}年度", "历年累计"]
        figures = {"this_year": counts, "cumulative": _cumulative(rng, counts, year - 2008)}
        if previous is not None and previous.variant == variant and "cumulative" in previous.columns:
            before = {r.key: r.values["cumulative"].value for r in previous.rows
                      if r.key and not r.key.startswith("extra.")}
            figures["cumulative"].update({k: v + counts[k] for k, v in before.items() if k in counts})
        numbered = False
    rows = []
    for key, label, unit in layout:
        row = LegacyRow(key, label, unit)
        if key is not None:
            money = key in tpl.LEGACY_MONEY
            row.values = {col: _print(figures[col][key], money) for col in columns}
        rows.append(row)
    if rng.random() < LOCAL_ROW_SHARE:  # a local indicator the template lacks: kept as extra.1
        at = next(i for i, r in enumerate(rows) if r.key == "proactive.gazette") + 1
        local = rng.randint(0, 40)
        values = {"this_year": local, "cumulative": local + rng.randint(0, 9) * local}
        rows.insert(at, LegacyRow("extra.1", _LOCAL_LABEL[report_family(family)], "条",
                                  {c: _print(values.get(c, local), False) for c in columns}))
    report = LegacyReport(name, level, year, family, date(year + 1, rng.randint(1, 3), rng.randint(1, 28)),
                          columns, heads, rows, seed, numbered, prose_only, variant=variant)
    report.stated = {"proactive.items": int(counts["proactive.items"]),
                     "requests.received": int(counts["requests.received"])}
    return report


# ---------------------------------------------------------------- prose


def paragraphs(report: LegacyReport) -> list[str]:
    """The running text: what the report says of its year, with two of its figures."""
    rng = random.Random(f"legacy-prose-{report.seed}")
    received = report.stated["requests.received"]
    said = (f"全年共受理政府信息公开申请{received}件，均已按期答复。" if received
            else "全年未收到政府信息公开申请。")
    return [
        f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》），现公布{report.agency}{report.year}年度政府信息公开"
        f"工作年度报告。本报告所列数据的统计期限自{report.year}年1月1日起至{report.year}年12月31日止。",
        "一、概述",
        f"{report.year}年，{report.agency}认真贯彻《条例》，不断完善公开内容，规范工作程序，拓展公开渠道。",
        "二、主动公开政府信息情况",
        f"{report.year}年主动公开政府信息{report.stated['proactive.items']}条，主要通过门户网站公开。",
        "三、依申请公开政府信息情况",
        said,
        "四、行政审批服务情况",
        f"行政服务中心窗口全年共受理审批申请{rng.randint(200, 90000)}件，办结率100%。",
        "五、存在的主要问题及改进措施",
        "公开的内容和形式还有待丰富，下一步将加强培训，提高工作水平。",
    ]


def closing(report: LegacyReport) -> list[str]:
    return [report.agency, cn_date(report.published)]


TABLE_TITLE = "政府信息公开情况统计表"


# ---------------------------------------------------------------- the table as a sheet


def legacy_sheet(report: LegacyReport, numbered: bool | None = None) -> Sheet:
    numbered = report.numbered if numbered is None else numbered
    head = (["序号"] if numbered else []) + (
        ["统计指标", "单位"] if report.family == "national" else ["指标名称", "计量单位"]) + report.heads
    rows = [[Span(text, role="head") for text in head]]
    number = 0
    for row in report.rows:
        cells = []
        if numbered:
            number += row.key is not None
            cells.append(Span(str(number) if row.key else "", role="label"))
        cells += [Span(row.label, role="label"), Span(row.unit, role="label")]
        cells += [Span(row.values[c].raw if row.key else "", key=(tpl.LEGACY_TABLE, row.key, c) if row.key else None)
                  for c in report.columns]
        rows.append(cells)
    return Sheet(tpl.LEGACY_TABLE, rows, len(head), header_rows=1)


# ---------------------------------------------------------------- renderers


def render_legacy(report: LegacyReport, fmt: str) -> bytes:
    """The report as `fmt`: html (a CMS page), word-html (Word's web page, GBK), docx, pdf, text (figures separated by spaces),
    fused (a web page's text export: the whole body on one line, figures run together)."""
    renderers = {"html": _html, "word-html": _word_html, "docx": _docx, "pdf": _pdf, "text": _text, "fused": _fused}
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
    return renderers[fmt](report)


def _text_rows(report: LegacyReport, sep: str, numbered: bool = False) -> list[str]:
    head = (["序号"] if numbered else []) + (
        ["统计指标", "单位"] if report.family == "national" else ["指标名称", "计量单位"]) + report.heads
    lines = [sep.join(head)]
    number = 0
    for row in report.rows:
        number += row.key is not None
        parts = ([str(number)] if numbered and row.key else []) + [row.label] + ([row.unit] if row.unit else []) + [
            row.values[c].raw for c in report.columns if row.key]
        lines.append(sep.join(parts))
    return lines


def _body(report: LegacyReport) -> list[str]:
    return [report.title, *paragraphs(report)]


def _text(report: LegacyReport) -> bytes:
    lines = _body(report)
    if not report.prose_only:
        lines += [f"附件：{report.year}年{TABLE_TITLE}", *_text_rows(report, " ", report.numbered), ""]
    return "\n".join(lines + closing(report)).encode("utf-8") + b"\n"


def _fused(report: LegacyReport) -> bytes:
    body = " ".join(_body(report))
    if not report.prose_only:
        body += f" 附件：{report.year}年{TABLE_TITLE} " + "".join(_text_rows(report, ""))
    return (body + " " + " ".join(closing(report)) + " 附件下载\n").encode("utf-8")


def _html(report: LegacyReport) -> bytes:
    return render_legacy_html(report)


def _word_html(report: LegacyReport) -> bytes:
    """A Word "save as web page" file (``MsoNormalTable``, runs split by script), in GBK."""
    from extract.forge.html import _WORD_HEAD, _word_paragraph, _word_table

    parts = [_WORD_HEAD.format(meta='<meta http-equiv=Content-Type content="text/html; charset=gb2312">\n',
                               title=escape(report.title)),
             _word_paragraph(report.title, size="22.0pt", align="center", indent=False)]
    parts += [_word_paragraph(p) for p in paragraphs(report)]
    if not report.prose_only:
        parts.append(_word_paragraph(TABLE_TITLE, align="center", indent=False))
        parts.append(_word_table(legacy_sheet(report), random.Random(f"word-{report.seed}")))
    parts += [_word_paragraph(t, align="right", indent=False) for t in closing(report)]
    parts.append("</div>\n\n</body>\n\n</html>\n")
    return "".join(parts).encode("gbk")


def render_legacy_html(report: LegacyReport, chrome=None, encoding: str = "utf-8", declare_charset: bool = True,
                       with_table: bool = True) -> bytes:
    """The report as a CMS article page (`extract.forge.html.cms_page`); `with_table=False`: a
    short note whose report is in an attachment."""
    from extract.forge.html import Chrome, _cms_table, cms_page

    if with_table:
        parts = [f"<p>{escape(p)}</p>" for p in paragraphs(report)]
        if not report.prose_only:
            parts.append(f"<p style=\"text-align:center\"><strong>{escape(TABLE_TITLE)}</strong></p>")
            parts.append(_cms_table(legacy_sheet(report), random.Random(report.seed)))
        parts += [f"<p style=\"text-align:right\">{escape(t)}</p>" for t in closing(report)]
    else:
        parts = [f"<p>{escape(paragraphs(report)[0])}</p>", "<p>全文及统计表详见附件。</p>"]
    return cms_page(report.title, "\n".join(parts), chrome or Chrome(source=report.agency), encoding=encoding,
                    declare_charset=declare_charset, published=report.published.isoformat())


def _docx(report: LegacyReport) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from extract.forge.docx import _fixed_timestamps, _paragraph, _table

    doc = Document()
    doc.core_properties.title = report.title
    _paragraph(doc, report.title, size=22, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    for text in paragraphs(report):
        _paragraph(doc, text)
    if not report.prose_only:
        _paragraph(doc, TABLE_TITLE, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        _table(doc, legacy_sheet(report))
    for text in closing(report):
        _paragraph(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    out = io.BytesIO()
    doc.save(out)
    return _fixed_timestamps(out.getvalue())


def _pdf(report: LegacyReport) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from extract.forge.pdf import PdfLayout, _draw_table, _Pager, _paragraph

    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, invariant=1, pageCompression=1)
    canvas.setTitle(report.title)
    pager = _Pager(canvas, PdfLayout())
    _paragraph(pager, report.title, indent=0, bold=True)
    for text in paragraphs(report):
        _paragraph(pager, text)
    if not report.prose_only:
        _paragraph(pager, TABLE_TITLE, indent=0, bold=True)
        _draw_table(pager, legacy_sheet(report, numbered=False))
    for text in closing(report):
        _paragraph(pager, text, indent=0)
    pager.close()
    canvas.save()
    return buf.getvalue()
