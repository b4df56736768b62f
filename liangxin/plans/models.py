"""Work plans (工作方案) as data: sections, tasks (重点任务), their departments, quantitative
targets (量化目标) and the indicator catalogue (指标) that lets plans be compared."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "up", "越高越好"
    LOWER_IS_BETTER = "down", "越低越好"


class Indicator(models.Model):
    """A catalogue indicator (指标) that targets in different plans point to."""

    name = models.CharField("指标名称", max_length=100, unique=True)
    unit = models.CharField("计量单位", max_length=20)
    direction = models.CharField("方向", max_length=4, choices=Direction.choices, default=Direction.HIGHER_IS_BETTER)
    # Wordings that name this indicator in notices, one per line; the importer proposes the
    # indicator whose longest keyword appears in a target's metric.
    keywords = models.TextField("识别关键词（每行一个）", blank=True)
    description = models.TextField("口径说明", blank=True)

    class Meta:
        verbose_name = "指标"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def keyword_list(self) -> list[str]:
        words = [w.strip() for w in self.keywords.splitlines() if w.strip()]
        return words or [self.name]


class Plan(models.Model):
    """One imported notice's plan. (issuer, doc_no) identifies it: re-importing the same
    notice updates this row in place."""

    region = models.ForeignKey("regions.Region", verbose_name="行政区划", on_delete=models.PROTECT, related_name="plans")
    title = models.CharField("方案名称", max_length=200)
    kind = models.CharField("文件类型", max_length=20, blank=True)
    issuer = models.CharField("发文机关", max_length=100)
    doc_no = models.CharField("发文字号", max_length=50, blank=True)
    issued_on = models.DateField("成文日期", null=True, blank=True)
    source_name = models.CharField("来源文件", max_length=200, blank=True)
    source_text = models.TextField("文件全文", blank=True)
    metadata_quotes = models.JSONField("元数据原文", default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "工作方案"
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
    no = models.PositiveSmallIntegerField("序号")
    title = models.CharField("标题", max_length=200)

    class Meta:
        verbose_name = "部分"
        ordering = ["plan", "no"]
        constraints = [models.UniqueConstraint(fields=["plan", "no"], name="section_no_unique_in_plan")]

    def __str__(self) -> str:
        return self.title


class Task(models.Model):
    """A numbered measure of the plan (重点任务, （一）（二）…)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    section = models.ForeignKey(Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    no = models.PositiveSmallIntegerField("序号")
    title = models.CharField("重点任务", max_length=200)
    content = models.TextField("具体内容", blank=True)
    deadline = models.CharField("完成时限", max_length=100, blank=True)
    quote = models.TextField("原文", blank=True)
    units_quote = models.TextField("单位原文", blank=True)

    class Meta:
        verbose_name = "重点任务"
        ordering = ["plan", "no"]
        constraints = [models.UniqueConstraint(fields=["plan", "no"], name="task_no_unique_in_plan")]

    def __str__(self) -> str:
        return f"（{self.no}）{self.title}"


class TaskRole(models.TextChoices):
    LEAD = "lead", "牵头单位"
    RESPONSIBLE = "responsible", "责任单位"


class TaskDepartment(models.Model):
    """A department's part in a task, with the name as the notice wrote it."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="task_departments")
    department = models.ForeignKey("regions.Department", on_delete=models.PROTECT, related_name="task_links")
    role = models.CharField("角色", max_length=12, choices=TaskRole.choices)
    position = models.PositiveSmallIntegerField("顺序")
    written_name = models.CharField("文件中的写法", max_length=100)

    class Meta:
        verbose_name = "任务部门"
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
    LEVEL = "level", "达到水平"
    GROWTH = "growth", "较基期增长"
    ANNUAL = "annual", "每年"
    ANNUAL_GROWTH = "annual_growth", "年均增长"


class Comparator(models.TextChoices):
    AT_LEAST = ">=", "不低于"
    MORE_THAN = ">", "超过"
    ABOUT = "~", "左右"
    AT_MOST = "<=", "不超过"


class Target(models.Model):
    """A number a department is held to (量化目标)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="targets")
    position = models.PositiveSmallIntegerField("顺序")
    metric = models.CharField("指标表述", max_length=200)
    year = models.PositiveSmallIntegerField("目标年份", null=True, blank=True)
    kind = models.CharField("类型", max_length=14, choices=TargetKind.choices)
    base_year = models.PositiveSmallIntegerField("基期年份", null=True, blank=True)
    comparator = models.CharField("比较", max_length=2, choices=Comparator.choices)
    value = models.DecimalField("目标值", max_digits=20, decimal_places=4)
    unit = models.CharField("单位", max_length=20)
    quote = models.TextField("原文", blank=True)
    indicator = models.ForeignKey(
        Indicator, verbose_name="对应指标", null=True, blank=True, on_delete=models.SET_NULL, related_name="targets"
    )

    class Meta:
        verbose_name = "量化目标"
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
        verbose_name = "导入记录"
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
        verbose_name = "导入草稿"

    def __str__(self) -> str:
        return f"导入草稿 {self.source_name}"
