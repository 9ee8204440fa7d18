"""Figures on other sites (#15) in real Chromium against gunicorn with production settings: a page on an
allowed origin (another port of localhost, named in EMBED_ORIGINS) shows the framed KPI card and the SVG
badge, while the portal's other pages refuse to be framed there, and a site not in EMBED_ORIGINS cannot
frame even the card."""

import http.server
import threading
from contextlib import contextmanager

import pytest

from tests.production import free_port, gunicorn, prepare, production_env

pytestmark = pytest.mark.e2e

SCREENSHOT = "/tmp/embed-framed.png"


@contextmanager
def host_site(port, html):
    """A stranger's website: one HTML page on its own origin (127.0.0.1:<port>)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.shutdown()
        server.server_close()


def frames_page(base):
    return f"""<!doctype html><html lang="lv"><head><meta charset="utf-8"><title>VRG vietne</title></head>
<body><h1>Partnerības vietne</h1>
<iframe id="card" src="{base}/lv/embed/indicators/K1/" title="K1" width="380" height="540"></iframe>
<iframe id="home" src="{base}/lv/" title="Sākums" width="380" height="540"></iframe>
<p><img id="badge" src="{base}/lv/embed/indicators/K1.svg" alt="K1"></p>
</body></html>"""


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    folder = tmp_path_factory.mktemp("embed")
    allowed_port = free_port()
    env = production_env(folder, EMBED_ORIGINS=f"http://127.0.0.1:{allowed_port}")
    prepare(env, demo=True)
    with gunicorn(env) as base:
        yield base, allowed_port


def _rendered(page, base, path):
    """The framed document's heading, or None when the browser refused to show it."""
    frame = next(f for f in page.frames if f.url.startswith(base + path) or f.name == path)
    if not frame.url.startswith(base):  # chrome-error://… — the frame was blocked
        return None
    heading = frame.query_selector("h1")
    return heading.inner_text() if heading else None


def test_allowed_site_frames_the_card_and_no_other_page(portal, browser):
    base, allowed_port = portal
    page = browser.new_page(viewport={"width": 900, "height": 700})
    refused = []
    page.on("console", lambda message: "frame-ancestors" in message.text and refused.append(message.text))
    with host_site(allowed_port, frames_page(base)) as url:
        page.goto(url, wait_until="load")
        card = page.frame_locator("#card")
        assert card.locator("article.kpi-card h1").inner_text().startswith("K1")
        assert card.locator(".kpi-percent").count() == 1
        # the home page is refused inside the same site's frame
        page.wait_for_timeout(500)
        home = page.locator("#home").element_handle().content_frame()
        assert home.url.startswith("chrome-error://") or home.query_selector(".site-header") is None
        # the browser names the refusing policy: the home page's, not the card's
        assert len(refused) == 1 and "\"frame-ancestors 'none'\"" in refused[0], refused
        # the badge loaded as an image
        assert page.evaluate("document.getElementById('badge').naturalWidth") > 40
        page.screenshot(path=SCREENSHOT)
    page.close()


def test_site_not_in_embed_origins_cannot_frame_the_card(portal, browser):
    base, allowed_port = portal
    page = browser.new_page()
    refused = []
    page.on("console", lambda message: "frame-ancestors" in message.text and refused.append(message.text))
    with host_site(free_port(), frames_page(base)) as url:
        page.goto(url, wait_until="load")
        page.wait_for_timeout(500)
        card = page.locator("#card").element_handle().content_frame()
        assert card.url.startswith("chrome-error://") or card.query_selector(".kpi-card") is None
        # the card's policy names only the portal and the allowed site
        card_policy = f"\"frame-ancestors 'self' http://127.0.0.1:{allowed_port}\""
        assert any(card_policy in text for text in refused), refused
        # an image is not framing: the badge still shows
        assert page.evaluate("document.getElementById('badge').naturalWidth") > 40
    page.close()
