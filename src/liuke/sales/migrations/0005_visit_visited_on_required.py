from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("sales", "0004_backfill_visited_on")]

    operations = [
        migrations.AlterField(
            model_name="visit",
            name="visited_on",
            field=models.DateField(verbose_name="day of the visit"),
        ),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(
                fields=["business", "customer", "visited_on", "total_fen", "status"],
                name="visit_analytics",
            ),
        ),
    ]
