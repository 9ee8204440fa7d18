"""Evidence files are private by default (invariant 12, issue #14).

Until now every file of an approved record was public. Attendance lists carry names, signatures and
sometimes personal codes, so every existing file becomes private: the LAG's staff mark again what may be
public (a photo, a programme), after the form's warning.
"""

from django.db import migrations, models


def make_existing_files_private(apps, schema_editor):
    apps.get_model("indicators", "Measurement").objects.update(evidence_publishable=False)


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0002_semantics"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalmeasurement",
            name="evidence_publishable",
            field=models.BooleanField(
                default=False,
                help_text="Uzmanību: atzīmējiet tikai tad, ja datnē nav personas datu — vārdu, parakstu, personas kodu, fotogrāfiju, kurās var atpazīt cilvēkus (piemēram, programma vai afiša). Publicējamu apstiprināta ieraksta datni var lejupielādēt ikviens; neatzīmētu redz tikai VRG darbinieki, valde un sekretariāts.",
                verbose_name="pierādījums publicējams",
            ),
        ),
        migrations.AddField(
            model_name="measurement",
            name="evidence_publishable",
            field=models.BooleanField(
                default=False,
                help_text="Uzmanību: atzīmējiet tikai tad, ja datnē nav personas datu — vārdu, parakstu, personas kodu, fotogrāfiju, kurās var atpazīt cilvēkus (piemēram, programma vai afiša). Publicējamu apstiprināta ieraksta datni var lejupielādēt ikviens; neatzīmētu redz tikai VRG darbinieki, valde un sekretariāts.",
                verbose_name="pierādījums publicējams",
            ),
        ),
        # the column's default already says "private"; this states it for every stored row
        migrations.RunPython(make_existing_files_private, migrations.RunPython.noop, elidable=True),
    ]
