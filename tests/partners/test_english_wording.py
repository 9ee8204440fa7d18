"""One Latvian word, two English ones: «Mērķis» labels both a LAG's aim and an indicator's target, so the
LAG page's label has its own message context."""

from partners.models import LAG


def text(response):
    return response.content.decode().replace("\xa0", " ")


def test_the_lags_aim_reads_aim_and_an_indicators_target_reads_target(client, strategy):
    lag = LAG.objects.get(slug="kaimini")
    en = text(client.get("/en/lags/kaimini/"))
    assert f"<dt>Aim</dt><dd>{lag.aim_en[:40]}" in en.replace("&#x27;", "'")
    assert "<dt>Target</dt>" not in en
    assert "<dt>Mērķis</dt>" in text(client.get("/lv/lags/kaimini/"))
    assert ">Target</" in text(client.get("/en/indicators/K1/"))
    assert ">Mērķis</" in text(client.get("/lv/indicators/K1/"))
