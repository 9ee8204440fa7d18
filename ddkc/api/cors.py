"""Which requests django-cors-headers answers with Access-Control-Allow-Origin: GET and HEAD of the API
from any site, and the preflight of such a request. Nothing else: a POST (which the API refuses anyway)
or its preflight gets no CORS header, so a browser never lets another site's script send one."""

from corsheaders.signals import check_request_enabled

READ_METHODS = {"GET", "HEAD"}


def read_only_api(sender, request, **kwargs):
    if not request.path_info.startswith("/api/"):
        return False
    if request.method in READ_METHODS:
        return True
    preflight = request.headers.get("Access-Control-Request-Method", "").upper()
    return request.method == "OPTIONS" and preflight in READ_METHODS


def connect_signals():
    check_request_enabled.connect(read_only_api, dispatch_uid="ddkc-api-cors")
