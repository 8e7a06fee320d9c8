from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("sales", "0002_checkout_ledgers")]

    operations = [
        migrations.AddField(
            model_name="visit",
            name="visited_on",
            field=models.DateField(null=True, verbose_name="day of the visit"),
        ),
    ]
