"""Existing activities keep every figure: their cash (whose source was not recorded) as cash
from other sources, their goods text and in-kind value as one line of goods, their
beneficiaries as other people helped."""

from django.db import migrations
from django.db.models import F, Q

UNSPECIFIED_ITEM = "Hiện vật (ghi nhận trước khi có chi tiết)"


def forward(apps, schema_editor):
    Activity = apps.get_model("reports", "Activity")
    ActivityGoods = apps.get_model("reports", "ActivityGoods")
    Activity.objects.update(cash_other_vnd=F("cash_vnd"), beneficiary_others=F("beneficiaries"))
    lines = []
    for pk, text, value in (
        Activity.objects.filter(~Q(goods_text="") | Q(in_kind_vnd__gt=0))
        .order_by("pk")
        .values_list("pk", "goods_text", "in_kind_vnd")
        .iterator(chunk_size=5000)
    ):
        lines.append(
            ActivityGoods(
                activity_id=pk,
                item=(text.strip() or UNSPECIFIED_ITEM)[:200],
                quantity=1,
                unit="lô",
                value_vnd=value,
            )
        )
        if len(lines) >= 5000:
            ActivityGoods.objects.bulk_create(lines)
            lines = []
    ActivityGoods.objects.bulk_create(lines)


def backward(apps, schema_editor):
    Activity = apps.get_model("reports", "Activity")
    ActivityGoods = apps.get_model("reports", "ActivityGoods")
    Activity.objects.update(beneficiaries=F("beneficiary_others"))
    for line in ActivityGoods.objects.order_by("pk"):
        Activity.objects.filter(pk=line.activity_id).update(goods_text=line.item)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_restructuring_targets_figures"),
        ("assignments", "0004_move_successors_locations_figures"),
    ]

    operations = [migrations.RunPython(forward, backward)]
