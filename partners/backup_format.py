"""The backup's serialisation format: Django's JSON fixtures, except that times keep their
microseconds (DjangoJSONEncoder cuts them to milliseconds, so a restore would not be exact)."""

import contextlib
import contextvars
import datetime

from django.core.serializers.json import Deserializer, DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer

__all__ = ["Deserializer", "Serializer"]


class ExactJSONEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class Serializer(JSONSerializer):
    def _init_options(self):
        self.options.setdefault("cls", ExactJSONEncoder)
        super()._init_options()


_RESTORING = contextvars.ContextVar("ddkc_restoring", default=False)


@contextlib.contextmanager
def restoring():
    """While a backup is loaded, rows are written back exactly as they were, closed years included:
    the year lock (``strategy.year_lock``) asks :func:`is_restoring` and stands aside — loaddata
    sets an activity's parishes after the year's closure row is already back."""
    token = _RESTORING.set(True)
    try:
        yield
    finally:
        _RESTORING.reset(token)


def is_restoring():
    return _RESTORING.get()
