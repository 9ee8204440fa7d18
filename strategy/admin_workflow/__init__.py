"""Admin building blocks for LAG-owned workflow records (activities, measurements).

Every decision about who may read or write a record is asked of :mod:`strategy.permissions`;
every status change goes through :mod:`strategy.services`. These classes only wire the two into
the admin's hooks, so the rules hold for forms, inlines, list actions, deletion, imports and direct
POSTs to admin URLs alike (Django asks the same ``has_*_permission`` and ``get_queryset`` there).

Modules, as in ``django.contrib.admin``: ``admins`` (``WorkflowAdmin``: who sees and writes what, the
form, the list), its mixins ``transitions`` (list actions, the change page's transitions, the submit
button) and ``imports`` (template, preview, confirmation), ``forms``, ``filters``, ``mixins`` (inlines,
the read-only change history) and ``common`` (what every admin of the portal uses: the record a URL
names, admin URLs, the read-only admin).
"""
