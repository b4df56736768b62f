"""Tasks are numbered within their part (section) where a notice restarts its numbering in
each part: the task number is unique per (plan, section), not per plan.

Existing rows satisfy the new constraints (they satisfied the stricter one per plan), and
every existing plan numbers its tasks throughout, which is the new field's default.

A task's section becomes RESTRICT (was SET_NULL): the section is part of the task's identity,
and nulling the sections of a deleted plan's tasks would make its two task 1s collide.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0003_seed_trade_in_indicators"),
    ]

    operations = [
        migrations.AlterField(
            model_name="task",
            name="section",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="tasks",
                to="plans.section",
            ),
        ),
        migrations.AddField(
            model_name="plan",
            name="task_numbering",
            field=models.CharField(
                choices=[("plan", "全文连续编号"), ("section", "各部分分别编号")],
                default="plan",
                max_length=10,
                verbose_name="任务编号方式",
            ),
        ),
        migrations.AddConstraint(
            model_name="task",
            constraint=models.UniqueConstraint(fields=("plan", "section", "no"), name="task_no_unique_in_section"),
        ),
        migrations.AddConstraint(
            model_name="task",
            constraint=models.UniqueConstraint(
                condition=models.Q(("section__isnull", True)),
                fields=("plan", "no"),
                name="task_no_unique_in_plan_without_section",
            ),
        ),
        # Added before the old constraint goes, so the table is never without one.
        migrations.RemoveConstraint(
            model_name="task",
            name="task_no_unique_in_plan",
        ),
        migrations.AlterModelOptions(
            name="task",
            options={
                "ordering": ["plan", models.OrderBy(models.F("section__no"), nulls_first=True), "no"],
                "verbose_name": "重点任务",
            },
        ),
    ]
