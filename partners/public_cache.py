"""The public cache: public responses are stored under a key that includes a data version, and every
write to the data they show bumps the version (signals catch every path that saves — admin, services,
imports, commands), so a withdrawn record is never served from the cache.

The version lives in the configured cache: with several server processes, CACHE_URL must point to a
shared cache (Redis, Memcached, database) so that one process's bump reaches the others."""

import functools
import hashlib
import pickle
import threading
import time
import uuid
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import get_language

VERSION_KEY = "ddkc:data-version"
CHANGED_KEY = "ddkc:data-changed:{}"
PAGE_TIMEOUT = 60 * 60
# Finished public pages each server process also keeps itself (PublicPageMiddleware), the most recently
# used first: ≈ 45 KB each, so at most ≈ 9 MB a process.
NEAR_ENTRIES = 200
WATCHED_APPS = {"partners", "strategy", "indicators"}
# a tally changes with its activities; comments, deadlines and the outbox are never public
IGNORED_MODELS = {"user", "statuschange", "activitytally", "comment", "reportingdeadline", "outboxmessage"}


def data_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    return version


def bump_data_version():
    version = uuid.uuid4().hex
    cache.set(CHANGED_KEY.format(version), int(time.time()), None)
    cache.set(VERSION_KEY, version, None)


def data_changed_at(version):
    """When the data became ``version`` (seconds since the epoch): the open data's Last-Modified. A
    version the cache started with (emptied cache) dates from its first use — never earlier than the
    data it stands for, so a conditional request cannot get a 304 for data it has not seen."""
    key = CHANGED_KEY.format(version)
    changed = cache.get(key)
    if changed is None:
        cache.add(key, int(time.time()), None)
        changed = cache.get(key)
    return changed


def _on_change(sender, **kwargs):
    meta = getattr(sender, "_meta", None)
    if meta is None or meta.app_label not in WATCHED_APPS or meta.model_name in IGNORED_MODELS:
        return
    bump_data_version()
    # A page rendered by another request between this write and its commit still shows the old data;
    # bumping again once the transaction commits keeps such a page out of the cache for good.
    transaction.on_commit(bump_data_version)


def connect_signals():
    # No sender: every model of the watched apps, m2m through tables included (Activity's territory
    # and priorities, Indicator's activity types), whoever saves them.
    post_save.connect(_on_change, dispatch_uid="ddkc-cache-save")
    post_delete.connect(_on_change, dispatch_uid="ddkc-cache-delete")
    m2m_changed.connect(_on_change, dispatch_uid="ddkc-cache-m2m")


def path_digest(request):
    """The page's path and query as a fixed-length key part: a visitor's 40 000-character query string
    must not become a 40 000-character cache key (memcached refuses keys over 250 bytes)."""
    return hashlib.sha256(request.get_full_path().encode()).hexdigest()


def public_page(view):
    """Cache a public GET response under (data version, language, full path)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        key = f"ddkc:page:{data_version()}:{get_language()}:{path_digest(request)}"
        response = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not getattr(response, "streaming", False):
                if hasattr(response, "render"):
                    response.render()
                cache.set(key, response, PAGE_TIMEOUT)
        if response.status_code == 200 and not getattr(response, "streaming", False):
            response.public_page = True  # PublicPageMiddleware may keep the finished response
        return response

    return wrapper


class PublicPageMiddleware:
    """Serve a cached public page before the rest of the middleware stack runs again.

    ``public_page`` caches what the view returns, but every hit still runs sessions, locale, CSRF,
    authentication, messages, axes… — at 100× volume under load that stack costs more than the page.
    This middleware (right after WhiteNoise) keeps the *finished* response of a public page, as the
    inner middleware left it, under the same data version, and answers a repeated GET with it. Only
    for visitors without a session (staff keep the whole stack), only GET, only pages the
    ``public_page`` decorator marked, never a response that sets a cookie. The outer middleware
    (security headers, CSP) still run on every response.

    A page under a data version never changes, so each process also keeps the last ``NEAR_ENTRIES``
    pages it served itself (pickled: the outer middleware change the response they are given, gzip
    its body). The data version is still read from the shared cache on every request, so a write in
    any process is seen at once; only the page's bytes no longer travel from the shared cache — with
    production's database cache that was a second query and 45 KB per hit, and the dashboard under
    gunicorn answered 0.37× as many requests a second as a static file."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}
        self.near = OrderedDict()
        self.lock = threading.Lock()

    def key(self, request):
        if request.method != "GET" or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return None
        # Public pages live under /lv/ and /en/: the prefix is the language the page is in.
        if request.path_info.split("/", 2)[1] not in self.languages:
            return None
        return f"ddkc:final:{data_version()}:{path_digest(request)}"

    def cached(self, key):
        with self.lock:
            kept = self.near.get(key)
            if kept is not None:
                self.near.move_to_end(key)
        if kept is not None:
            return pickle.loads(kept)
        response = cache.get(key)
        if response is not None:
            self.keep(key, response)
        return response

    def keep(self, key, response):
        kept = pickle.dumps(response, pickle.HIGHEST_PROTOCOL)
        with self.lock:
            self.near[key] = kept
            self.near.move_to_end(key)
            while len(self.near) > NEAR_ENTRIES:
                self.near.popitem(last=False)

    def __call__(self, request):
        key = self.key(request)
        if key is not None:
            response = self.cached(key)
            if response is not None:
                return response
        response = self.get_response(request)
        if (
            key is not None
            and getattr(response, "public_page", False)
            and response.status_code == 200
            and not response.cookies
        ):
            cache.set(key, response, PAGE_TIMEOUT)
            self.keep(key, response)
        return response
