"""The year's end: the board closes a year, its figures are frozen, and the annual report is rendered
from them (invariant 9). Where each part lives:

``services``
    The rules: ``close_year`` (every LAG's workflow lock, the unapproved records' acknowledgement, the
    closure and its snapshot), ``reopen_year`` (a written reason, logged on the closure),
    ``latest_snapshot`` and ``year_states`` (which years are final and which provisional), and
    ``unapproved_records`` (what closing would leave out).
``snapshot``
    ``year_data``: one year's figures as one JSON-serialisable dict, all computed by the progress
    engine (``indicators.progress``). A close stores it; the PDF of an open year renders it live.
``pdf``
    The annual report: a tagged PDF rendered by WeasyPrint from ``templates/indicators/report/``;
    a closed year's report is stored once per scope and language with its SHA-256 (``Report``).
``views`` and ``urls``
    The public Reports page (``/<lang>/reports/``) and its PDF downloads.
``admin``
    The board's year page in the admin (close, reopen, download the report), the year summaries,
    snapshots and stored reports; registered by admin discovery through ``indicators.admin``.

Elsewhere: the lock that makes a closed year read-only on every write path is
``strategy.year_lock`` (below this app, since strategy's records are locked too); who may close and
reopen is ``may_close_years`` in ``strategy.permissions`` (invariant 13); the "final / provisional"
label of public figures is the ``year_state`` tag of ``indicators/templatetags/report.py``. The
models are ``YearClosure`` (``strategy.models``) and ``YearSnapshot``, ``YearSummary`` and ``Report``
(``indicators.models``).
"""
