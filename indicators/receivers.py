"""What happens when a record of this app is saved or deleted, connected in one place.

Imported by ``IndicatorsConfig.ready``; Django calls a signal's receivers in the order they were
connected, which is the order below (after ``strategy.receivers``: the year lock runs first).

1. The public cache (:mod:`partners.public_cache`): a write to partners', strategy's or indicators' data
   bumps the data version the cached public pages are stored under.
2. Change history (django-simple-history) of indicators, targets and measurements.
3. A measurement's evidence file leaves storage once the transaction commits (:mod:`strategy.uploads`).

Not signals: a measurement's save claims its version (``WorkflowRecord.save``); targets, baselines
and measurements are year-locked by their models and querysets (``YearLocked``,
``YearLockedQuerySet``), an indicator's definition by ``DefinitionLocked`` and
``DefinitionLockedQuerySet``, their deletions and link changes (an indicator's activity types) by
``strategy.receivers``.
"""

from simple_history import register

from partners import public_cache
from strategy.uploads import remove_files_after_commit

from .models import Indicator, Measurement, Target, VarianceNarrative

public_cache.connect_signals()

# Registered here, after modeltranslation has added the _lv/_en fields (see strategy.receivers).
register(Indicator)
register(Target)
register(Measurement, excluded_fields=["updated_at"])
register(VarianceNarrative, excluded_fields=["updated_at"])

remove_files_after_commit(Measurement)
