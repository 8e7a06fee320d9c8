"""Give the services recorded before service categories existed a category: one per business
and standard kind in use, named as the kind is in Chinese (the owner renames them on the menu
page). Reversing leaves the categories (0008's reverse drops the table)."""

from django.db import migrations

#: The standard kinds' Chinese names (`sales.choices.ServiceCategory`), frozen here: a
#: migration does not follow later changes of the translations.
NAMES = {
    "facial": "面部护理",
    "body": "身体护理",
    "hair": "美发",
    "nails": "美甲",
    "lashes": "美睫美眉",
    "spa": "SPA 与按摩",
    "other": "其他",
}
ORDER = list(NAMES)


def forwards(apps, schema_editor):
    Service = apps.get_model("sales", "Service")
    MenuCategory = apps.get_model("sales", "MenuCategory")
    pairs = (
        Service.objects.filter(menu_category__isnull=True)
        .values_list("business_id", "category")
        .distinct()
    )
    for business_id, kind in sorted(set(pairs)):
        category, _created = MenuCategory.objects.get_or_create(
            business_id=business_id,
            name=NAMES.get(kind, kind),
            defaults={"kind": kind, "position": ORDER.index(kind) if kind in ORDER else 99},
        )
        Service.objects.filter(
            business_id=business_id, category=kind, menu_category__isnull=True
        ).update(menu_category=category)


class Migration(migrations.Migration):
    dependencies = [("sales", "0008_menu_setup")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
