"""The running text of a forged report, written for the forge (no real report's sentences).

Sections 一 to 六 as the template orders them, a preface that states the statistics period, and
the agency's name and date at the end. Sentences are drawn from small pools with the report's
seed, so the same report always reads the same; the few numbers quoted agree with its tables.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from extract import template as tpl
from extract.forge.model import Report

CN_NUMERALS = "一二三四五六七八九十"
SECTION_HEADINGS = tuple(f"{CN_NUMERALS[i]}、{title}" for i, (_, title) in enumerate(tpl.SECTIONS))


@dataclass
class Prose:
    title: str
    preface: list[str]
    sections: list[tuple[str, list[str]]]  # (heading, paragraphs); tables follow headings 二, 三, 四
    signature: str  # the agency
    date_line: str  # 2025年1月18日

    def heading(self, key: str) -> str:
        """The printed heading of section `key` (overview, active_disclosure, …)."""
        return SECTION_HEADINGS[[k for k, _ in tpl.SECTIONS].index(key)]


def cn_date(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


_PREFACE_OPENINGS = (
    "依据《中华人民共和国政府信息公开条例》和国务院办公厅关于年度报告格式的要求，{agency}编制了本年度报告。",
    "按照《中华人民共和国政府信息公开条例》的规定，{agency}对全年政府信息公开工作进行了梳理，形成本报告。",
    "为全面反映{year}年政府信息公开工作，{agency}根据《中华人民共和国政府信息公开条例》整理编写本报告。",
)
_PREFACE_PARTS = (
    "全文依次说明总体情况、主动公开情况、申请办理情况、行政复议和行政诉讼情况、存在问题与改进措施以及其他事项。",
    "报告共分六个部分，分别介绍工作概况、主动公开、依申请公开、复议诉讼、问题改进和其他需要说明的内容。",
)
_PERIODS = (
    "文中统计数据的起止时间为{year}年1月1日至{year}年12月31日。",
    "报告所用数据的统计时段为{year}年1月1日至{year}年12月31日。",
    "本报告统计数据的时间范围是{year}年1月1日至{year}年12月31日。",
)
_CONTACTS = (
    "公众对本报告有疑问的，可在工作日向{agency}办公室咨询。",
    "本报告电子版可在{agency}门户网站政府信息公开专栏查阅和下载。",
)
_OVERVIEW = (
    "{year}年，{agency}把政务公开作为转变职能、提升治理能力的一项基础工作，主要负责同志多次听取汇报，"
    "分管负责同志牵头协调，各科室明确专人负责信息的采集、审核和发布。",
    "围绕群众和企业关心的事项，{agency}持续完善公开目录，及时更新机构职能、政策文件、财政资金、"
    "重大项目等栏目内容，做到应公开尽公开。",
    "在依申请公开方面，{agency}全年共新收政府信息公开申请{new_received}件，"
    "所有申请均在法定期限内作出答复，答复文书统一经过法制审核。",
    "在平台建设方面，门户网站和政务新媒体实行统一管理，全年开展网站内容巡查十余次，"
    "对发现的错别字、空白栏目和过期链接即时整改。",
    "在监督保障方面，{agency}将政务公开工作纳入年度目标考核，组织业务培训，邀请群众代表参与评议，"
    "未发生因公开不当被追究责任的情况。",
)
_ACTIVE_INTRO = (
    "本年度主动公开政府信息的主要数据如下表。",
    "{agency}主动公开政府信息情况统计见下表。",
)
_REQUESTS_INTRO = (
    "本年度收到和处理政府信息公开申请的情况统计如下。",
    "依申请公开的受理和办理情况见下表。",
)
_REVIEW_INTRO = (
    "因政府信息公开引起的行政复议和行政诉讼情况如下表。",
    "本年度涉及政府信息公开的复议和诉讼案件统计见下表。",
)
_REVIEW_NONE = (
    "本年度{agency}未发生因政府信息公开工作引起的行政复议和行政诉讼案件。",
)
_PROBLEMS = (
    "对照上级要求，{agency}的政务公开工作仍有薄弱环节：部分栏目更新不够及时，"
    "政策解读形式比较单一，基层工作人员的业务能力有待提高。",
    "针对上述问题，下一步将健全信息发布前的审核流程，丰富图解、问答等解读形式，"
    "并通过集中培训和以案代训提升工作人员的能力。",
    "同时，{agency}将定期梳理公开目录，对已失效的文件及时标注，方便公众查找使用。",
)
_OTHER = (
    "本年度{agency}未收取政府信息公开信息处理费。",
    "人大代表建议和政协委员提案办理结果已按要求在门户网站公开。",
    "{agency}落实年度政务公开工作要点，各项任务均已按期完成。",
    "无其他需要报告的事项。",
)


def write_prose(report: Report) -> Prose:
    """The report's own words, deterministic for the report's seed."""
    rng = random.Random(f"prose-{report.seed}-{report.agency}-{report.year}")
    fill = {"agency": report.agency, "year": report.year,
            "new_received": _count(report, ("requests", "new_received", "total"))}

    def pick(pool: tuple[str, ...], k: int = 1) -> list[str]:
        return [s.format(**fill) for s in rng.sample(pool, k)]

    preface = ["".join([*pick(_PREFACE_OPENINGS), *pick(_PREFACE_PARTS), *pick(_PERIODS)]), *pick(_CONTACTS)]
    overview = [s.format(**fill) for s in _OVERVIEW]
    if not fill["new_received"]:
        overview[2] = f"本年度{report.agency}未收到政府信息公开申请，依申请公开渠道保持畅通。"
    review_text = pick(_REVIEW_INTRO) if "review_litigation" in report.tables else pick(_REVIEW_NONE)
    sections = [
        (SECTION_HEADINGS[0], overview[: 3 + rng.randint(0, 2)] + active_statements(report)),
        (SECTION_HEADINGS[1], pick(_ACTIVE_INTRO) if rng.random() < 0.5 else []),
        (SECTION_HEADINGS[2], pick(_REQUESTS_INTRO) if rng.random() < 0.5 else []),
        (SECTION_HEADINGS[3], review_text if rng.random() < 0.5 or "review_litigation" not in report.tables else []),
        (SECTION_HEADINGS[4], [s.format(**fill) for s in _PROBLEMS[: rng.randint(2, 3)]]),
        (SECTION_HEADINGS[5], pick(_OTHER, rng.randint(1, 2))),
    ]
    return Prose(report.title, preface, sections, report.agency, cn_date(report.published))


def _count(report: Report, key) -> int | None:
    value = report.value(*key)
    return int(value) if value is not None else None


#: what a 2019-format report's overview may repeat from its table 二: (row, column, phrase)
_ACTIVE_FACTS = (
    ("normative_documents", "newly_made", "新制作规范性文件{}件"),
    ("licensing", "decisions", "作出行政许可决定{}件"),
    ("penalty", "decisions", "作出行政处罚决定{}件"),
    ("coercion", "decisions", "作出行政强制决定{}件"),
    ("procurement", "projects", "完成政府集中采购项目{}个"),
    ("procurement", "amount", "采购总金额{}万元"),
)


def active_statements(report: Report) -> list[str]:
    """For some 2019-format reports, a sentence of 总体情况 repeating a few numbers of table 二
    (its own random draw, so the rest of the prose is unchanged)."""
    if report.template != "2019":
        return []
    rng = random.Random(f"prose-active-{report.seed}-{report.year}")
    facts = [(phrase, report.value("active_disclosure", row, col)) for row, col, phrase in _ACTIVE_FACTS]
    facts = [(phrase, v) for phrase, v in facts if v is not None]
    if rng.random() < 0.3 or not facts:
        return []
    chosen = sorted(rng.sample(range(len(facts)), rng.randint(1, min(4, len(facts)))))
    said = "，".join(facts[i][0].format(_plain(facts[i][1])) for i in chosen)
    return [f"在主动公开方面，{report.agency}全年{said}，相关信息均已在门户网站公开。"]


def _plain(value: float) -> str:
    return str(int(value)) if float(value) == int(value) else f"{value:.2f}".rstrip("0").rstrip(".")
