"""An activity's parishes and towns, whole municipalities and priorities become explicit link models
whose rows PROTECT what they point to (``strategy.models.ActivityLink``), so that deleting a priority,
a parish or a municipality that an activity names is refused instead of silently unlinking it.

The link tables stay the ones Django made for the plain many-to-many fields, with their rows and ids:
the models are created in the migration state only (SeparateDatabaseAndState), matching those tables
column for column (Django's unique pair included); then that unnamed unique pair becomes a named
constraint, as every other constraint of the portal. No row is copied or changed."""

import django.db.models.deletion
from django.db import migrations, models


def link(name, target_field, target, verbose_name, table, options):
    return migrations.CreateModel(
        name=name,
        fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            (
                "activity",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE, related_name="+", to="strategy.activity"
                ),
            ),
            (
                target_field,
                models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="+",
                    to=target,
                    verbose_name=verbose_name,
                ),
            ),
        ],
        options={**options, "db_table": table, "unique_together": {("activity", target_field)}},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0002_roles"),
        ("strategy", "0010_year_closure_unapproved_acknowledgement"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                link(
                    "ActivityTerritoryUnit",
                    "territoryunit",
                    "partners.territoryunit",
                    "pagasts vai pilsēta",
                    "strategy_activity_territory_units",
                    {
                        "verbose_name": "aktivitātes pagasts vai pilsēta",
                        "verbose_name_plural": "aktivitāšu pagasti un pilsētas",
                    },
                ),
                link(
                    "ActivityMunicipality",
                    "municipality",
                    "partners.municipality",
                    "novads",
                    "strategy_activity_municipalities",
                    {"verbose_name": "aktivitātes novads", "verbose_name_plural": "aktivitāšu novadi"},
                ),
                link(
                    "ActivityPriority",
                    "priority",
                    "strategy.priority",
                    "prioritāte",
                    "strategy_activity_priorities",
                    {"verbose_name": "aktivitātes prioritāte", "verbose_name_plural": "aktivitāšu prioritātes"},
                ),
                migrations.AlterField(
                    model_name="activity",
                    name="territory_units",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="activities",
                        through="strategy.ActivityTerritoryUnit",
                        to="partners.territoryunit",
                        verbose_name="pagasti un pilsētas",
                    ),
                ),
                migrations.AlterField(
                    model_name="activity",
                    name="municipalities",
                    field=models.ManyToManyField(
                        blank=True,
                        help_text="Tikai tad, ja aktivitāte aptver visu novadu, nevis atsevišķus pagastus.",
                        related_name="activities",
                        through="strategy.ActivityMunicipality",
                        to="partners.municipality",
                        verbose_name="viss novads",
                    ),
                ),
                migrations.AlterField(
                    model_name="activity",
                    name="priorities",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="activities",
                        through="strategy.ActivityPriority",
                        to="strategy.priority",
                        verbose_name="stratēģijas prioritātes",
                    ),
                ),
            ],
            # The tables, their rows and their indexes are there already.
            database_operations=[],
        ),
        migrations.AlterUniqueTogether(name="activityterritoryunit", unique_together=set()),
        migrations.AddConstraint(
            model_name="activityterritoryunit",
            constraint=models.UniqueConstraint(
                fields=("activity", "territoryunit"), name="activityterritoryunit_unique"
            ),
        ),
        migrations.AlterUniqueTogether(name="activitymunicipality", unique_together=set()),
        migrations.AddConstraint(
            model_name="activitymunicipality",
            constraint=models.UniqueConstraint(fields=("activity", "municipality"), name="activitymunicipality_unique"),
        ),
        migrations.AlterUniqueTogether(name="activitypriority", unique_together=set()),
        migrations.AddConstraint(
            model_name="activitypriority",
            constraint=models.UniqueConstraint(fields=("activity", "priority"), name="activitypriority_unique"),
        ),
    ]
