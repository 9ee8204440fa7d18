"""What happens when a record of this app is saved or deleted, connected in one place.

Imported by ``StrategyConfig.ready`` (the models are loaded, modeltranslation has added its fields).
Django calls a signal's receivers in the order they were connected, so the order below is the order
they run in: the year lock refuses a write before the tallies count it.

1. Change history (django-simple-history) of activities.
2. The year lock (:mod:`strategy.year_lock`): deleting a record dated in a closed year, or changing its
   links, is refused (``pre_delete``, ``m2m_changed`` of every year-locked model, indicators' too).
3. The tallies (:mod:`strategy.tallies`): activities, funding lines, an activity's places, and the
   territory map they are counted by.
4. Evidence files (:mod:`strategy.uploads`): replaced, cleared and deleted ones leave storage once
   the transaction commits.
5. Comments (:mod:`strategy.notifications`): a new comment queues its e-mails in the outbox.

What is not a signal lives on the models and querysets themselves: the version claim of every save
(``WorkflowRecord.save``, :mod:`strategy.workflow`), the year lock of saves and of querysets' updates
and deletes (``YearLocked``, ``YearLockedQuerySet``), and the tallies of the bulk paths that send no
signals (``ActivityQuerySet`` and ``FundingLineQuerySet``: ``bulk_create``, ``bulk_update``,
``update``, ``delete``). The public cache's version is bumped by ``indicators.receivers``.
"""

from django.db.models.signals import post_save
from simple_history import register

from . import notifications, tallies, uploads, year_lock
from .models import Activity, Comment, Evidence

# Registered here, not on the model class: modeltranslation (whose ready() runs first) has
# added title_lv/title_en… by now, so the historical model records them too.
register(Activity, excluded_fields=["updated_at"])

year_lock.connect_signals()
tallies.connect_signals()
uploads.remove_files_after_commit(Evidence)
post_save.connect(notifications.comment_saved, sender=Comment, dispatch_uid="strategy.comment_mails")
