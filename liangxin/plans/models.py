"""Work plans (工作方案) as data: sections, tasks (重点任务), their departments, quantitative
targets (量化目标) and the indicator catalogue (指标) that lets plans be compared."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "up", _("越高越好")
    LOWER_IS_BETTER = "down", _("越低越好")


class Indicator(models.Model):
    """A catalogue indicator (指标) that targets in different plans point to."""

    name = models.CharField(_("指标名称"), max_length=100, unique=True)
    unit = models.CharField(_("计量单位"), max_length=20)
    direction = models.CharField(_("方向"), max_length=4, choices=Direction.choices, default=Direction.HIGHER_IS_BETTER)
    # Wordings that name this indicator in notices, one per line; the importer proposes the
    # indicator whose longest keyword appears in a target's metric.
    keywords = models.TextField(_("识别关键词（每行一个）"), blank=True)
    description = models.TextField(_("口径说明"), blank=True)

    class Meta:
        verbose_name = _("指标")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def keyword_list(self) -> list[str]:
        words = [w.strip() for w in self.keywords.splitlines() if w.strip()]
        return words or [self.name]


CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十: how a notice numbers its parts (一、二、…)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    return (
        ("" if tens == 0 else "十" if tens == 1 else CHINESE_DIGITS[tens] + "十")
        + ("" if ones == 0 else CHINESE_DIGITS[ones])
    )


def task_label(section_no: int | None, no: int, *, per_section: bool) -> str:
    """How a task is referred to: （3） where the plan numbers its tasks throughout,
    二（1） (part 二, task 1) where numbering restarts in each part."""
    if per_section and section_no is not None:
        return f"{chinese_numeral(section_no)}（{no}）"
    return f"（{no}）"


def numbering_restarts(keys) -> bool:
    """Whether tasks given as (section no, task no) restart their numbering in each part:
    some number stands in more than one part."""
    parts: dict[int, set] = {}
    for section_no, no in keys:
        parts.setdefault(no, set()).add(section_no)
    return any(len(sections) > 1 for sections in parts.values())


class TaskNumbering(models.TextChoices):
    # Set by plan_import from the tasks themselves: a number used twice (in different parts)
    # means the notice restarts its numbering in each part.
    PLAN = "plan", _("全文连续编号")
    SECTION = "section", _("各部分分别编号")


class Plan(models.Model):
    """One imported notice's plan. (issuer, doc_no) identifies it: re-importing the same
    notice updates this row in place."""

    region = models.ForeignKey("regions.Region", verbose_name=_("行政区划"), on_delete=models.PROTECT, related_name="plans")
    title = models.CharField(_("方案名称"), max_length=200)
    kind = models.CharField(_("文件类型"), max_length=20, blank=True)
    issuer = models.CharField(_("发文机关"), max_length=100)
    doc_no = models.CharField(_("发文字号"), max_length=50, blank=True)
    issued_on = models.DateField(_("成文日期"), null=True, blank=True)
    source_name = models.CharField(_("来源文件"), max_length=200, blank=True)
    source_text = models.TextField(_("文件全文"), blank=True)
    metadata_quotes = models.JSONField(_("元数据原文"), default=dict, blank=True)
    task_numbering = models.CharField(
        _("任务编号方式"), max_length=10, choices=TaskNumbering.choices, default=TaskNumbering.PLAN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("工作方案")
        ordering = ["region", "-issued_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "doc_no"], condition=~Q(doc_no=""), name="plan_unique_issuer_doc_no"
            ),
            models.UniqueConstraint(
                fields=["region", "title"], condition=Q(doc_no=""), name="plan_unique_title_without_doc_no"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Section(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections")
    no = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("标题"), max_length=200)

    class Meta:
        verbose_name = _("部分")
        ordering = ["plan", "no"]
        constraints = [models.UniqueConstraint(fields=["plan", "no"], name="section_no_unique_in_plan")]

    def __str__(self) -> str:
        return self.title


# Tasks in document order: part by part, then by number. Tasks outside any part come first.
TASK_ORDER = (F("section__no").asc(nulls_first=True), "no")


class Task(models.Model):
    """A numbered measure of the plan (重点任务, （一）（二）…).

    A task is identified within its plan by (section, no): notices that restart their
    numbering in each part have a task 1 in several parts (docs/decisions/task-numbering-per-section.md).
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    # Part of the task's identity, so a part is not dropped from under its tasks (plan_import
    # deletes a part's tasks first); deleting the plan deletes both.
    section = models.ForeignKey(Section, null=True, blank=True, on_delete=models.RESTRICT, related_name="tasks")
    no = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("重点任务"), max_length=200)
    content = models.TextField(_("具体内容"), blank=True)
    deadline = models.CharField(_("完成时限"), max_length=100, blank=True)
    quote = models.TextField(_("原文"), blank=True)
    units_quote = models.TextField(_("单位原文"), blank=True)

    class Meta:
        verbose_name = _("重点任务")
        ordering = ["plan", *TASK_ORDER]
        constraints = [
            models.UniqueConstraint(fields=["plan", "section", "no"], name="task_no_unique_in_section"),
            # NULLs are distinct in a unique constraint: tasks outside any part need their own rule.
            models.UniqueConstraint(
                fields=["plan", "no"], condition=Q(section__isnull=True), name="task_no_unique_in_plan_without_section"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}{self.title}"

    @property
    def label(self) -> str:
        """（3）, or 二（1） in a plan whose numbering restarts in each part. Reads the plan and
        the section: fetch tasks through plan.tasks (which knows its plan) with the section."""
        return task_label(
            self.section.no if self.section_id else None,
            self.no,
            per_section=self.plan.task_numbering == TaskNumbering.SECTION,
        )


class TaskRole(models.TextChoices):
    LEAD = "lead", _("牵头单位")
    RESPONSIBLE = "responsible", _("责任单位")


class TaskDepartment(models.Model):
    """A department's part in a task, with the name as the notice wrote it."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="task_departments")
    department = models.ForeignKey("regions.Department", on_delete=models.PROTECT, related_name="task_links")
    role = models.CharField(_("角色"), max_length=12, choices=TaskRole.choices)
    position = models.PositiveSmallIntegerField(_("顺序"))
    written_name = models.CharField(_("文件中的写法"), max_length=100)

    class Meta:
        verbose_name = _("任务部门")
        ordering = ["task", "role", "position"]
        constraints = [
            models.UniqueConstraint(fields=["task", "role", "position"], name="task_department_position_unique"),
        ]
        indexes = [
            # The department page: tasks a department leads or supports.
            models.Index(fields=["department", "role"], name="task_department_by_department"),
        ]

    def __str__(self) -> str:
        return f"{self.written_name}（{self.get_role_display()}）"


class TargetKind(models.TextChoices):
    LEVEL = "level", _("达到水平")
    GROWTH = "growth", _("较基期增长")
    ANNUAL = "annual", _("每年")
    ANNUAL_GROWTH = "annual_growth", _("年均增长")


class Comparator(models.TextChoices):
    AT_LEAST = ">=", _("不低于")
    MORE_THAN = ">", _("超过")
    ABOUT = "~", _("左右")
    AT_MOST = "<=", _("不超过")


class Target(models.Model):
    """A number a department is held to (量化目标)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="targets")
    position = models.PositiveSmallIntegerField(_("顺序"))
    metric = models.CharField(_("指标表述"), max_length=200)
    year = models.PositiveSmallIntegerField(_("目标年份"), null=True, blank=True)
    kind = models.CharField(_("类型"), max_length=14, choices=TargetKind.choices)
    base_year = models.PositiveSmallIntegerField(_("基期年份"), null=True, blank=True)
    comparator = models.CharField(_("比较"), max_length=2, choices=Comparator.choices)
    value = models.DecimalField(_("目标值"), max_digits=20, decimal_places=4)
    unit = models.CharField(_("单位"), max_length=20)
    quote = models.TextField(_("原文"), blank=True)
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("对应指标"), null=True, blank=True, on_delete=models.SET_NULL, related_name="targets"
    )

    class Meta:
        verbose_name = _("量化目标")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="target_position_unique_in_plan"),
            models.CheckConstraint(
                condition=~Q(kind="growth") | Q(base_year__isnull=False), name="target_growth_has_base_year"
            ),
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=2000, year__lte=2100), name="target_year_plausible"
            ),
            models.CheckConstraint(
                condition=Q(base_year__isnull=True) | Q(year__isnull=True) | Q(base_year__lte=models.F("year")),
                name="target_base_year_not_after_year",
            ),
        ]
        indexes = [
            # The comparison page: every target of one indicator, across regions.
            models.Index(fields=["indicator", "year"], name="target_by_indicator_year"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.display_value}"

    @property
    def display_value(self) -> str:
        value = self.value.normalize()
        text = f"{value:f}"
        prefix = {">=": "≥", ">": ">", "~": "约", "<=": "≤"}[self.comparator]
        unit = "" if self.unit == "ratio" else self.unit
        if self.unit == "ratio":
            text = f"{text}:1"
        if self.kind == TargetKind.GROWTH:
            return f"较{self.base_year}年增长{prefix}{text}{unit}"
        if self.kind == TargetKind.ANNUAL_GROWTH:
            return f"年均增长{prefix}{text}{unit}"
        if self.kind == TargetKind.ANNUAL:
            return f"每年{prefix}{text}{unit}"
        return f"{prefix}{text}{unit}"


class PlanImport(models.Model):
    """One import of a notice (first or re-import), with what it changed."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="imports")
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    imported_by_label = models.CharField(max_length=150)
    source_name = models.CharField(max_length=200, blank=True)
    created = models.BooleanField()
    changes = models.JSONField(default=list)

    class Meta:
        verbose_name = _("导入记录")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.plan} · {self.imported_at:%Y-%m-%d %H:%M}"


class PlanDraft(models.Model):
    """A notice read but not yet confirmed: the preview a user corrects before import."""

    region = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    source_name = models.CharField(max_length=200)
    source_text = models.TextField()
    payload = models.JSONField()
    confirmed_plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("导入草稿")

    def __str__(self) -> str:
        return f"导入草稿 {self.source_name}"
