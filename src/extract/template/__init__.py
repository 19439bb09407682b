"""The national report template, as data.

Every table, row and column of the 2021 format (国办公开办函〔2021〕30号) and the 2019 trial format
(国办公开办函〔2019〕60号) with its canonical key, its printed label and the variants seen in the
wild. Nothing else in the package spells a label: readers know formats, `tables` knows this module.

Keys are the data contract of ``../shared/spec/template.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

TABLES = ("active_disclosure", "requests", "review_litigation")
TEMPLATES = ("2021", "2019")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    optional: bool = False  # a local variant (org_subtotal), not part of the national form

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    group: str | None = None  # printed heading of the row's group, e.g. 不予公开
    block: str | None = None  # active_disclosure: the 第二十条 item the row belongs to
    columns: tuple[str, ...] = ()  # keys of the columns this row has (active_disclosure)

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


@dataclass(frozen=True)
class Table:
    key: str
    section: str  # section title without numbering
    section_aliases: tuple[str, ...]
    rows: tuple[Row, ...]
    columns: tuple[Column, ...]
    markers: tuple[str, ...]  # header texts that identify the table in a grid

    def row(self, key: str) -> Row:
        return next(r for r in self.rows if r.key == key)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    @property
    def row_keys(self) -> tuple[str, ...]:
        return tuple(r.key for r in self.rows)

    def columns_of(self, row: Row) -> tuple[str, ...]:
        """The template's columns for `row` (optional local columns excluded)."""
        return row.columns or tuple(c.key for c in self.columns if not c.optional)

    def cell_keys(self) -> Iterator[tuple[str, str]]:
        for row in self.rows:
            for col in self.columns_of(row):
                yield row.key, col


@dataclass(frozen=True)
class Template:
    name: str
    tables: dict[str, Table] = field(default_factory=dict)

    def __getitem__(self, table: str) -> Table:
        return self.tables[table]

    def cell_keys(self) -> Iterator[tuple[str, str, str]]:
        for table in self.tables.values():
            for row, col in table.cell_keys():
                yield table.key, row, col


# ---------------------------------------------------------------- active_disclosure (section 二)

_ISSUED = Column("issued", "本年制发件数", ("本年新制发件数", "本年制定件数"))
_REPEALED = Column("repealed", "本年废止件数", ("本年度止件数", "本年度废止件数", "本年废止数"))
_IN_FORCE = Column("in_force", "现行有效件数", ("现行有效数",))
_DECISIONS = Column("decisions", "本年处理决定数量", ("处理决定数量", "本年处理决定数", "本年度处理决定数量"))
_FEES_AMOUNT = Column("amount_10k_yuan", "本年收费金额", ("本年收费金额万元", "收费金额"))

_NEWLY_MADE = Column("newly_made", "本年新制作数量", ("本年新制作", "新制作数量"))
_NEWLY_PUBLISHED = Column("newly_published", "本年新公开数量", ("本年新公开", "新公开数量"))
_TOTAL_PUBLISHED = Column("total_published", "对外公开总数量", ("对外公开总数",))
_ITEMS_LAST_YEAR = Column("items_last_year", "上一年项目数量", ("上年项目数量", "上一年度项目数量"))
_ITEMS_CHANGE = Column("items_change", "本年增/减", ("本年增减", "本年增加/减少", "增/减"))
_PROJECTS = Column("projects", "采购项目数量", ("项目数量",))
_AMOUNT = Column("amount", "采购总金额", ("总金额",))

_DOC_COLS_2021 = ("issued", "repealed", "in_force")
_DOC_COLS_2019 = ("newly_made", "newly_published", "total_published")
_ITEM_COLS_2019 = ("items_last_year", "items_change", "decisions")

ACTIVE_2021 = Table(
    key="active_disclosure",
    section="主动公开政府信息情况",
    section_aliases=("主动公开情况", "主动公开政府信息"),
    rows=(
        Row("regulations", "规章", block="(一)", columns=_DOC_COLS_2021),
        Row("normative_documents", "行政规范性文件", ("规范性文件",), block="(一)", columns=_DOC_COLS_2021),
        Row("licensing", "行政许可", block="(五)", columns=("decisions",)),
        Row("penalty", "行政处罚", block="(六)", columns=("decisions",)),
        Row("coercion", "行政强制", block="(六)", columns=("decisions",)),
        Row("fees", "行政事业性收费", block="(八)", columns=("amount_10k_yuan",)),
    ),
    columns=(_ISSUED, _REPEALED, _IN_FORCE, _DECISIONS, _FEES_AMOUNT),
    markers=("信息内容", "本年制发件数", "现行有效件数", "本年处理决定数量", "本年收费金额", "第二十条"),
)

ACTIVE_2019 = Table(
    key="active_disclosure",
    section="主动公开政府信息情况",
    section_aliases=ACTIVE_2021.section_aliases,
    rows=(
        Row("regulations", "规章", block="(一)", columns=_DOC_COLS_2019),
        Row("normative_documents", "规范性文件", ("行政规范性文件",), block="(一)", columns=_DOC_COLS_2019),
        Row("licensing", "行政许可", block="(五)", columns=_ITEM_COLS_2019),
        Row("other_services", "其他对外管理服务事项", block="(五)", columns=_ITEM_COLS_2019),
        Row("penalty", "行政处罚", block="(六)", columns=_ITEM_COLS_2019),
        Row("coercion", "行政强制", block="(六)", columns=_ITEM_COLS_2019),
        Row("fees", "行政事业性收费", block="(八)", columns=("items_last_year", "items_change")),
        Row("procurement", "政府集中采购", block="(九)", columns=("projects", "amount")),
    ),
    columns=(_NEWLY_MADE, _NEWLY_PUBLISHED, _TOTAL_PUBLISHED, _ITEMS_LAST_YEAR, _ITEMS_CHANGE,
             _DECISIONS, _PROJECTS, _AMOUNT),
    markers=("信息内容", "本年新制作数量", "对外公开总数量", "上一年项目数量", "采购项目数量", "第二十条"),
)

# ---------------------------------------------------------------- requests (section 三)

#: the short words of table 三's header that tell, in flattened text, whether its local org
#: subtotal column is printed and where: before the first organisation column (商业企业) or last
SUBTOTAL_WORD = "小计"
COMMERCIAL_WORD = "商业"

APPLICANT_COLUMNS = (
    Column("natural_person", "自然人"),
    Column("commercial", "商业企业", (COMMERCIAL_WORD, "企业")),
    Column("research", "科研机构", ("科研", "科研院所")),
    Column("public_interest", "社会公益组织", ("社会公益",)),
    Column("legal_services", "法律服务机构", ("法律服务",)),
    Column("other_org", "其他"),
    Column("total", "总计", ("合计",)),
    Column("org_subtotal", "法人或其他组织小计", (SUBTOTAL_WORD, "法人或其他组织合计"), optional=True),
)

_WITHHELD = "不予公开"
_UNAVAILABLE = "无法提供"
_NOT_PROCESSED = "不予处理"
_OTHER_HANDLING = "其他处理"

_REQUEST_ROWS_HEAD = (
    Row("new_received", "本年新收政府信息公开申请数量", ("本年新收政府信息公开申请", "本年新收申请数量")),
    Row("carried_over", "上年结转政府信息公开申请数量", ("上年结转政府信息公开申请", "上年结转申请数量")),
    Row("granted", "予以公开"),
    Row("partially_granted", "部分公开"),
    Row("withheld.state_secret", "属于国家秘密", group=_WITHHELD),
    Row("withheld.prohibited_by_law", "其他法律行政法规禁止公开", group=_WITHHELD),
    Row("withheld.security_stability", "危及\"三安全一稳定\"", ("危及三安全一稳定",), group=_WITHHELD),
    Row("withheld.third_party", "保护第三方合法权益", group=_WITHHELD),
    Row("withheld.internal_affairs", "属于三类内部事务信息", group=_WITHHELD),
    Row("withheld.process_info", "属于四类过程性信息", group=_WITHHELD),
    Row("withheld.enforcement_files", "属于行政执法案卷", group=_WITHHELD),
    Row("withheld.query_matters", "属于行政查询事项", group=_WITHHELD),
    Row("unavailable.not_held", "本机关不掌握相关政府信息", group=_UNAVAILABLE),
    Row("unavailable.needs_creation", "没有现成信息需要另行制作", group=_UNAVAILABLE),
    Row("unavailable.unclear", "补正后申请内容仍不明确", group=_UNAVAILABLE),
    Row("not_processed.complaint", "信访举报投诉类申请", group=_NOT_PROCESSED),
    Row("not_processed.repeated", "重复申请", group=_NOT_PROCESSED),
    Row("not_processed.publication", "要求提供公开出版物", group=_NOT_PROCESSED),
    Row("not_processed.excessive", "无正当理由大量反复申请", group=_NOT_PROCESSED),
    Row("not_processed.confirm_existing", "要求行政机关确认或重新出具已获取信息", group=_NOT_PROCESSED),
)
_OTHER_HANDLING_ITEMS = (
    Row("other_handling.no_correction", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        ("申请人无正当理由逾期不补正",), group=_OTHER_HANDLING),
    Row("other_handling.fee_unpaid", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        ("申请人逾期未按收费通知要求缴纳费用",), group=_OTHER_HANDLING),
    Row("other_handling.other", "其他", group=_OTHER_HANDLING),
)
_OTHER_HANDLING_ROW = Row("other_handling", "其他处理")
_REQUEST_ROWS_TAIL = (
    Row("total_handled", "总计", ("合计",)),
    Row("carried_forward", "结转下年度继续办理", ("结转下年度继续办理政府信息公开申请", "结转下年度")),
)

_REQUESTS_COMMON = dict(
    key="requests",
    section="收到和处理政府信息公开申请情况",
    section_aliases=("收到和处理政府信息公开申请", "依申请公开情况"),
    columns=APPLICANT_COLUMNS,
    markers=("申请人情况", "自然人", "法人或其他组织", "商业企业", "科研机构", "勾稽关系"),
)
REQUESTS_2021 = Table(rows=_REQUEST_ROWS_HEAD + _OTHER_HANDLING_ITEMS + _REQUEST_ROWS_TAIL, **_REQUESTS_COMMON)
REQUESTS_2019 = Table(rows=_REQUEST_ROWS_HEAD + (_OTHER_HANDLING_ROW,) + _REQUEST_ROWS_TAIL, **_REQUESTS_COMMON)

#: printed row-group headings inside table 三; they carry no numbers of their own
OUTCOMES_HEADING = "本年度办理结果"
REQUEST_GROUPS = (OUTCOMES_HEADING, _WITHHELD, _UNAVAILABLE, _NOT_PROCESSED, _OTHER_HANDLING)
#: the row-group heading of table 三 → the key its item rows start with
GROUP_OF_HEADING = {_WITHHELD: "withheld", _UNAVAILABLE: "unavailable", _NOT_PROCESSED: "not_processed",
                    _OTHER_HANDLING: "other_handling"}
OUTCOME_GROUP_HEADINGS = {key: heading for heading, key in GROUP_OF_HEADING.items()}

# ---------------------------------------------------------------- review_litigation (section 四)

REVIEW_COLUMNS = (
    Column("upheld", "结果维持", ("维持",)),
    Column("corrected", "结果纠正", ("纠正",)),
    Column("other", "其他结果"),
    Column("pending", "尚未审结", ("未审结",)),
    Column("total", "总计", ("合计",)),
)
#: the heading printed over table 四's two litigation rows (未经复议直接起诉, 复议后起诉)
LITIGATION_HEADING = "行政诉讼"
#: words of table 四's litigation row labels that announce the table, in a grid or in flattened text
REVIEW_ROW_MARKS = ("复议后起诉", "未经复议")
REVIEW_LITIGATION = Table(
    key="review_litigation",
    section="政府信息公开行政复议、行政诉讼情况",
    section_aliases=("行政复议、行政诉讼情况", "因政府信息公开工作被申请行政复议、提起行政诉讼情况",
                     "政府信息公开行政法复议、行政诉讼情况", "行政复议和行政诉讼情况"),
    rows=(
        Row("review", "行政复议"),
        Row("litigation_direct", "未经复议直接起诉", ("行政诉讼未经复议直接起诉",)),
        Row("litigation_after_review", "复议后起诉", ("行政诉讼复议后起诉",)),
    ),
    columns=REVIEW_COLUMNS,
    markers=("行政复议", LITIGATION_HEADING, "结果维持", "尚未审结", "复议后起诉"),
)

#: column headers only the 2019 table 二 prints: a flattened table 二 holding one is the 2019 format
ACTIVE_2019_HEADS = (_NEWLY_MADE.label, _ITEMS_LAST_YEAR.label, _PROJECTS.label, _TOTAL_PUBLISHED.label)

TEMPLATE_2021 = Template("2021", {t.key: t for t in (ACTIVE_2021, REQUESTS_2021, REVIEW_LITIGATION)})
TEMPLATE_2019 = Template("2019", {t.key: t for t in (ACTIVE_2019, REQUESTS_2019, REVIEW_LITIGATION)})
BY_NAME = {"2021": TEMPLATE_2021, "2019": TEMPLATE_2019}

#: section headings of the report, in order (numbering varies in the wild)
SECTIONS = (
    ("overview", "总体情况"),
    ("active_disclosure", ACTIVE_2021.section),
    ("requests", REQUESTS_2021.section),
    ("review_litigation", REVIEW_LITIGATION.section),
    ("problems", "存在的主要问题及改进情况"),
    ("other", "其他需要报告的事项"),
)

#: texts printed with a table that tell which table it is, in flattened text: the legal basis above
#: table 二 (第二十条…), the note under table 三 (勾稽关系) and its header, the rows of table 四
ACTIVE_BLOCK = "第二十条"  # （一）主动公开政府信息情况 is headed by the article it reports on
REQUEST_NOTE = "勾稽关系"  # the note under table 三 on how its numbers relate
TEXT_MARKERS = {
    "active_disclosure": (ACTIVE_BLOCK,),
    "requests": (REQUEST_NOTE, "申请人情况"),
    "review_litigation": ("未经复议直接起诉", "复议后起诉"),
}
#: the notices that define each template, as a report may cite them
NOTICES = {"2021": ("〔2021〕30号", "[2021]30号"), "2019": ("〔2019〕60号",)}

# ---------------------------------------------------------------- arithmetic

#: groups whose items add up to total_handled, with the row for a group printed as one line
OUTCOME_ROWS = ("granted", "partially_granted")
OUTCOME_GROUPS = ("withheld", "unavailable", "not_processed", "other_handling")
REQUEST_APPLICANTS = ("natural_person", "commercial", "research", "public_interest", "legal_services", "other_org")
REQUEST_ORGS = REQUEST_APPLICANTS[1:]
REVIEW_PARTS = ("upheld", "corrected", "other", "pending")
REVIEW_COLUMNS_KEYS = (*REVIEW_PARTS, "total")


# ---------------------------------------------------------------- legacy (2008–2018, spec/legacy.md)

LEGACY_TABLE = "legacy"
_REVIEW = "review"  # section (row group) of the 行政复议 rows
_LITIGATION = "litigation"

LEGACY_COLUMNS = (
    Column("this_year", "本年度", ("本年", "本年度数", "统计数", "年度", "本年统计数", "数量")),
    Column("cumulative", "历年累计", ("累计", "历年累计数", "累计数")),
)
#: header words of the indicator, unit and running-number columns (not values)
LEGACY_LABEL_HEADS = ("指标名称", "统计指标", "指标", "项目", "统计项目")
LEGACY_UNIT_HEADS = ("计量单位", "单位")
LEGACY_NUMBER_HEADS = ("序号",)

LEGACY = Table(
    key=LEGACY_TABLE,
    section="政府信息公开情况统计表",
    section_aliases=("统计指标表", "工作情况统计表", "政府信息公开工作情况统计表"),
    rows=(
        Row("proactive.items", "主动公开政府信息数", ("主动公开政府信息数不同渠道和方式公开相同信息计1条", "主动公开信息数",
                                                 "主动公开文件数", "主动公开政府信息总数")),
        Row("proactive.normative_documents", "主动公开规范性文件数", ("其中主动公开规范性文件数",)),
        Row("proactive.normative_issued", "制发规范性文件总数"),
        Row("proactive.website", "政府网站公开政府信息数", ("网站公开", "政府网站公开数", "政府网站公开")),
        Row("proactive.gazette", "政府公报公开政府信息数", ("政府公报公开", "政府公报公开数")),
        Row("proactive.weibo", "政务微博公开政府信息数"),
        Row("proactive.wechat", "政务微信公开政府信息数"),
        Row("proactive.other_channels", "其他方式公开政府信息数"),
        Row("response.hot_topics", "回应公众关注热点或重大舆情数"),
        Row("response.press_conferences", "参加或举办新闻发布会总次数"),
        Row("response.press_conferences_heads", "主要负责同志参加新闻发布会次数"),
        Row("response.online_interviews", "政府网站在线访谈次数"),
        Row("response.online_interviews_heads", "主要负责同志参加政府网站在线访谈次数"),
        Row("response.interpretations", "政策解读稿件发布数"),
        Row("response.weibo_wechat", "微博微信回应事件数"),
        Row("response.other", "其他方式回应事件数"),
        Row("requests.received", "收到申请数", ("受理依申请公开信息总数", "受理政府信息依申请公开总数", "依申请公开信息总数",
                                             "申请总数")),
        Row("requests.in_person", "当面申请数"),
        Row("requests.fax", "传真申请数"),
        Row("requests.online", "网络申请数", ("网上申请数",)),
        Row("requests.email", "电子邮件申请数"),
        Row("requests.letter", "信函申请数"),
        Row("requests.letter_or_fax", "信函、传真申请数", ("信函传真申请数",)),
        Row("requests.other_channel", "其他形式申请数", ("其它形式申请数",)),
        Row("requests.closed", "申请办结数"),
        Row("requests.closed_on_time", "按时办结数"),
        Row("requests.closed_extended", "延期办结数"),
        Row("requests.answered", "申请答复数", ("对申请的答复总数", "对申请的答复数")),
        Row("requests.already_public", "属于已主动公开范围数"),
        Row("requests.granted", "同意公开答复数"),
        Row("requests.partially_granted", "同意部分公开答复数"),
        Row("requests.refused", "不同意公开答复数", ("不予公开答复数", "否决公开答复数")),
        Row("requests.refused.state_secret", "涉及国家秘密"),
        Row("requests.refused.commercial_secret", "涉及商业秘密"),
        Row("requests.refused.privacy", "涉及个人隐私"),
        Row("requests.refused.security_stability", "危及国家安全、公共安全、经济安全和社会稳定"),
        Row("requests.refused.not_gov_info", "不是《条例》所指政府信息"),
        Row("requests.refused.other_law", "法律法规规定的其他情形"),
        Row("requests.not_this_agency", "不属于本行政机关公开数"),
        Row("requests.not_exist", "申请信息不存在数"),
        Row("requests.asked_to_amend", "告知作出更改补充数"),
        Row("requests.other_channels", "告知通过其他途径办理数"),
        Row("requests.other_answers", "其他类型答复数"),
        Row("review.total", "行政复议数量", ("行政复议数", "因政府信息公开申请行政复议数")),
        Row("review.upheld", "维持具体行政行为数", group=_REVIEW),
        Row("review.corrected", "被依法纠错数", group=_REVIEW),
        Row("review.other", "其他情形数", group=_REVIEW),
        Row("litigation.total", "行政诉讼数量", ("行政诉讼数", "因政府信息公开申请提起行政诉讼数")),
        Row("litigation.upheld", "维持具体行政行为或者驳回原告诉讼请求数", group=_LITIGATION),
        Row("litigation.corrected", "被依法纠错数", group=_LITIGATION),
        Row("litigation.other", "其他情形数", group=_LITIGATION),
        Row("complaints", "举报投诉数量", ("行政申诉数", "行政申诉、举报数", "接受行政诉讼、举报数")),
        Row("fees_10k_yuan", "依申请公开信息收取的费用", ("政府信息公开收费减免金额", "收费金额")),
        Row("org.units", "政府信息公开工作专门机构数"),
        Row("org.reading_points", "设置政府信息公开查阅点数"),
        Row("org.staff", "从事政府信息公开工作人员数"),
        Row("org.staff_full_time", "专职人员数"),
        Row("org.staff_part_time", "兼职人员数"),
        Row("org.budget_10k_yuan", "政府信息公开专项经费"),
        Row("meetings", "召开政府信息公开工作会议或专题会议数"),
        Row("training.sessions", "举办各类培训班数"),
        Row("training.trainees", "接受培训人员数"),
    ),
    columns=LEGACY_COLUMNS,
    markers=("指标名称", "统计指标", "计量单位", "历年累计"),
)
TEMPLATE_LEGACY = Template("legacy", {LEGACY_TABLE: LEGACY})

#: the rows a report's prose may state when its table lacks them (`method = "prose"`)
LEGACY_PROSE = ("proactive.items", "requests.received", "requests.answered", "requests.granted",
                "requests.partially_granted", "requests.refused", "review.total", "litigation.total", "fees_10k_yuan")
#: rows whose value is in 万元: a cell printed in 元 is divided by 10,000
LEGACY_MONEY = ("fees_10k_yuan", "org.budget_10k_yuan")
#: the row groups a duplicated label (被依法纠错数, 其他情形数) is decided by, from the row that opens each
LEGACY_SECTIONS = {"review.total": _REVIEW, "litigation.total": _LITIGATION}
#: channel rows adding up to requests.received; answer rows at most requests.answered
LEGACY_CHANNELS = ("requests.in_person", "requests.fax", "requests.online", "requests.email", "requests.letter",
                   "requests.letter_or_fax", "requests.other_channel")
LEGACY_ANSWERS = ("requests.granted", "requests.partially_granted", "requests.refused", "requests.already_public",
                  "requests.not_this_agency", "requests.not_exist", "requests.asked_to_amend",
                  "requests.other_channels", "requests.other_answers")
LEGACY_PROACTIVE_CHANNELS = ("proactive.website", "proactive.gazette")


def get(name: str) -> Template:
    """The template called `name` (``2021``, ``2019`` or ``legacy``)."""
    if name == TEMPLATE_LEGACY.name:
        return TEMPLATE_LEGACY
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown template {name!r}; expected one of {sorted(BY_NAME)} or 'legacy'") from None
