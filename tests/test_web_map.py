"""The map's reading aids in headless Chromium (same server and browser as test_web_browser): place
names at z6 and z12, the one-line attribution and its "Données et sources" dialog, the overseas
shortcuts, the density toggle, the simulator at a tapped point inside a PACA QPV, deep links
(?cc=, &answers=), the comparison table and the embeddable page framed by an allowed origin only.
Screenshots under tests/screenshots/ (``<size>-map-*.png``)."""

from __future__ import annotations

import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
import test_web_browser as wb
from playwright.sync_api import expect
from test_web_browser import AXE, VIEWPORTS, Page, _ensure_dist, api, wait_map

server, browser = wb.server, wb.browser  # the same fixtures (one server and one Chromium per module)

pytestmark = [pytest.mark.browser, pytest.mark.needs_sources]


def idle(pg):
    pg.wait_for_function("() => window.rezoneMap && window.rezoneMap.loaded() && window.rezoneMap.areTilesLoaded()")
    pg.evaluate("() => new Promise(r => { const m = window.rezoneMap; if (!m.isMoving()) m.once('idle', r); "
                "m.triggerRepaint(); setTimeout(r, 1500); })")


def rendered_names(pg, layer="places-communes"):
    return pg.evaluate("l => window.rezoneMap.queryRenderedFeatures({layers: [l]})"
                       ".map(f => [f.properties.nom, f.properties.rank])", layer)


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_place_names_z6_and_z12(server, browser, size, small_dataset):
    p = Page(browser, size)
    pg = p.page
    try:
        amiens = small_dataset.communes["80021"].center
        pg.goto(server + f"/?profession=medecin&zoom=6&centre={amiens[0]},{amiens[1]}")
        wait_map(pg)
        idle(pg)
        z6 = dict(rendered_names(pg))
        assert "Amiens" in z6 and all(r <= 2 for r in z6.values()), z6  # préfectures only at z6
        p.shot("map-names-z6")
        # z12 around Picquigny: villages (rank 7) are named
        pg.goto(server + "/?profession=medecin&zoom=12&centre=2.1440,49.9440")
        wait_map(pg)
        idle(pg)
        z12 = dict(rendered_names(pg))
        assert "Picquigny" in z12 and any(r == 7 for r in z12.values()), z12
        p.shot("map-names-z12")
        assert p.errors == []
    finally:
        p.close()


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_attribution_is_one_short_line_during_the_whole_load(server, browser, size):
    p = Page(browser, size)
    pg = p.page
    try:
        # sample the attribution from the first paint to the idle map (every animation frame)
        pg.add_init_script("""
          window.__attr = [];
          const tick = () => { const el = document.querySelector('#map-attribution');
            if (el) window.__attr.push([el.getBoundingClientRect().height, el.textContent.trim(),
                                        document.querySelectorAll('.maplibregl-ctrl-attrib').length]);
            if (!document.body || document.body.dataset.mapReady !== 'true' || window.__attr.length < 5)
              requestAnimationFrame(tick); };
          requestAnimationFrame(tick);""")
        pg.goto(server + "/")
        wait_map(pg)
        samples = pg.evaluate("() => window.__attr")
        assert len(samples) >= 5
        for height, text, maplibre_attrib in samples:
            assert text.replace("\xa0", " ") == "Sources : Assurance Maladie, DREES, INSEE, IGN, ARS — détails"
            assert 0 < height <= 26 and maplibre_attrib == 0
        line = pg.locator("#map-attribution")
        assert line.evaluate("el => el.scrollWidth <= el.clientWidth + 1")  # the whole line is shown
        pg.locator("#sources-open").click()
        dialog = pg.locator("#sources-dialog")
        dialog.wait_for()
        assert "Données et sources" in dialog.inner_text()
        pg.locator("#sources-body li, #sources-body .error").first.wait_for()
        p.shot("map-sources")
        pg.locator("#sources-close").click()
        assert not dialog.is_visible()
    finally:
        p.close()


DROM = {"guadeloupe": (-61.81, 15.83, -61.0, 16.52), "reunion": (55.21, -21.39, 55.84, -20.87),
        "mayotte": (45.01, -13.0, 45.3, -12.63), "metropole": (-5.2, 41.3, 9.6, 51.15)}


def test_overseas_shortcuts(server, browser):
    p = Page(browser, "phone")
    pg = p.page
    try:
        pg.goto(server + "/")
        wait_map(pg)
        for area, (w, s, e, n) in DROM.items():
            pg.locator(f"#drom button[data-area='{area}']").click()
            pg.wait_for_function("() => !window.rezoneMap.isMoving()")
            pg.wait_for_timeout(900)
            c = pg.evaluate("() => window.rezoneMap.getCenter().toArray()")
            assert w < c[0] < e and s < c[1] < n, (area, c)
        assert p.errors == []
    finally:
        p.close()


def test_density_toggle(server, browser):
    p = Page(browser, "desktop")
    pg = p.page
    try:
        pg.goto(server + "/?profession=medecin&zoom=9&centre=2.2957,49.8941")
        wait_map(pg)
        idle(pg)
        p.shot("map-density-off")
        style = api(server, "/tiles/styles/medecin.json")
        legend = style["metadata"]["rezone:density"]
        assert [c["quartile"] for c in legend["classes"]] == [1, 2, 3, 4] and legend["source"]["id"] == "apl"
        before = pg.evaluate("() => window.rezoneMap.queryRenderedFeatures({layers: ['communes-fill']}).length")
        assert before > 0
        pg.locator("#layer-density").check()
        idle(pg)
        vis = pg.evaluate("() => ['density-fill', 'communes-fill'].map(l => window.rezoneMap.getLayoutProperty(l, 'visibility'))")
        assert vis == ["visible", "none"]
        quartiles = pg.evaluate("() => window.rezoneMap.queryRenderedFeatures({layers: ['density-fill']})"
                                ".map(f => f.properties.apl_q)")
        assert quartiles and set(quartiles) <= {1, 2, 3, 4} and len(set(quartiles)) > 1
        assert pg.locator("#density-legend li").count() == 4
        assert "DREES" in pg.locator("#density-title").inner_text() or "APL" in pg.locator("#density-title").inner_text()
        p.shot("map-density-on")
        assert p.errors == []
    finally:
        p.close()


def _qpv_with_own_zone(ds):
    """A 2024 QPV of Bouches-du-Rhône whose doctors' zonage differs from its commune's, and a point inside."""
    best = None
    for q in ds.qpvs.values():
        if q.generation != "2024" or q.zonage_medecin is None or not q.zonage_medecin.code or q.geometry is None:
            continue
        commune = ds.communes.get(q.communes[0]) if q.communes else None
        own = commune.zonage.get("medecin").code if commune and commune.zonage.get("medecin") else None
        if len(q.communes) == 1 and own and own != q.zonage_medecin.code and (best is None or q.geometry.area > best[0].geometry.area):
            best = (q, own)
    assert best, "no PACA QPV with its own doctors' zonage in the small release"
    q, own = best
    inner = q.geometry.buffer(-0.0015)
    pt = (inner if not inner.is_empty else q.geometry).representative_point()
    return q, own, pt


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_tap_inside_a_paca_qpv_uses_its_zonage(server, browser, size, small_dataset):
    q, commune_zone, pt = _qpv_with_own_zone(small_dataset)
    p = Page(browser, size)
    pg = p.page
    try:
        pg.goto(server + f"/?profession=medecin&zoom=15&centre={pt.x:.6f},{pt.y:.6f}")
        wait_map(pg)
        idle(pg)
        box = pg.locator("#map canvas").bounding_box()
        pg.locator("#map canvas").click(position={"x": box["width"] / 2, "y": box["height"] / 2})
        pg.wait_for_selector("#sim-submit")
        pg.wait_for_function("() => !document.querySelector('#simulator').hidden && document.querySelector('#q-project')")
        assert "lat=" in pg.url and "lon=" in pg.url
        pg.locator("#sim-submit").click()
        zone = pg.locator("#sim-zone")
        zone.wait_for()
        assert zone.get_attribute("data-zone") == q.zonage_medecin.code != commune_zone
        assert q.name in zone.inner_text() and "quartier prioritaire" in zone.inner_text()
        # the same as the API for the point
        lat, lon = (float(v) for v in pg.evaluate("() => { const u = new URLSearchParams(location.search); "
                                                  "return [u.get('lat'), u.get('lon')]; }"))
        res = api(server, "/v1/eligibility", {"profession": "medecin", "location": {"lat": lat, "lon": lon}, "answers": {}})
        assert res["location"]["qpv_at_point"]["code"] == q.code
        total = pg.locator("#sim-total strong").inner_text()
        assert total.replace("\u202f", " ").replace("\xa0", " ").startswith(f"{res['total_eligible_eur']:,.0f}".replace(",", " "))
        p.shot("map-qpv-simulator")
        assert p.errors == []
    finally:
        p.close()


def test_deep_links_cc_and_answers(server, browser):
    p = Page(browser, "phone")
    pg = p.page
    try:
        pg.goto(server + "/?cc=80021")
        pg.wait_for_function("() => document.querySelector('#card-title').textContent === 'Amiens'")
        assert "commune=80021" in pg.url
        # outbound links: the région's PAPS page (Hauts-de-France) and C@rtoSanté
        links = {a.get_attribute("href") for a in pg.locator("#links-body a").all()}
        assert "https://www.hauts-de-france.paps.sante.fr/les-aides-linstallation-80" in links
        assert "https://cartosante.atlasante.fr/" in links
        answers = {"project": "installation", "first_liberal_installation": True, "secteur": "1"}
        pg.goto(server + "/?cc=80410&profession=medecin&answers=" + json.dumps(answers))
        pg.wait_for_selector("#sim-total")
        assert pg.locator("#q-project").input_value() == "installation"
        res = api(server, "/v1/eligibility", {"profession": "medecin", "location": {"commune": "80410"}, "answers": answers})
        shown = {li.get_attribute("data-aid"): li.get_attribute("data-status") for li in pg.locator("#sim-results li.aid").all()}
        assert shown == {a["id"]: a["status"] for a in res["aids"]}
        assert json.loads(pg.evaluate("() => new URLSearchParams(location.search).get('answers')")) == answers
        assert p.errors == []
    finally:
        p.close()


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_compare_table(server, browser, size):
    p = Page(browser, size)
    pg = p.page
    try:
        pg.goto(server + "/?compare=80021,13055&profession=medecin")
        table = pg.locator("#compare-table")
        table.wait_for()
        heads = [th.inner_text() for th in table.locator("thead th[data-commune]").all()]
        assert [h.split(" (")[0] for h in heads] == ["Amiens", "Marseille"]
        rows = {tr.locator("th").inner_text(): [td.inner_text() for td in tr.locator("td").all()]
                for tr in table.locator("tbody tr").all()}
        assert rows["Population"][0].replace("\u202f", "").replace("\xa0", "").replace(" ", "") == "136449"
        for code, cell in zip(("80021", "13055"), rows["Total des aides éligibles (mêmes réponses)"]):
            res = api(server, "/v1/eligibility", {"profession": "medecin", "location": {"commune": code}, "answers": {}})
            assert cell.replace("\u202f", " ").replace("\xa0", " ").startswith(f"{res['total_eligible_eur']:,.0f}".replace(",", " "))
        assert any("Hôpital" in k for k in rows) and any("QPV" in k for k in rows)
        table.scroll_into_view_if_needed()
        p.shot("map-compare")
        if AXE.is_file():
            pg.close()
            q = Page(browser, size, bypass_csp=True)
            try:
                q.page.goto(server + "/?compare=80021,13055&profession=medecin")
                q.page.locator("#compare-table").wait_for()
                q.page.locator("#sources-open").click()
                q.page.locator("#sources-body li, #sources-body .error").first.wait_for()
                q.page.add_script_tag(path=str(AXE))
                assert q.page.evaluate(
                    "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'best-practice']}))"
                    ".violations.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)") == []
            finally:
                q.close()
        assert p.errors == []
    finally:
        p.close()


def _parent_server(directory):
    """A partner portal: a plain static server on its own port (its own origin)."""
    srv = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(directory)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def test_embed_framed_only_by_allowed_origins(small_release, browser, tmp_path):
    from rezone_infra.server import make_server

    allowed_dir, other_dir = tmp_path / "allowed", tmp_path / "other"
    allowed_dir.mkdir()
    other_dir.mkdir()
    # the embed server must know the allowed parent's origin: start the parents first, on their own ports
    allowed = _parent_server(allowed_dir)
    other = _parent_server(other_dir)
    app = make_server(str(small_release["store"]), port=0, web_root=_ensure_dist(),
                      frame_ancestors=f"http://127.0.0.1:{allowed.server_address[1]}")
    threading.Thread(target=app.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{app.server_address[1]}"
    embed = f"{base}/embed.html?cc=80021&profession=infirmier"
    for d in (allowed_dir, other_dir):
        (d / "parent.html").write_text(
            f'<!doctype html><html lang="fr"><title>Portail</title><iframe id="f" title="Rézone" src="{embed}" '
            'width="600" height="700"></iframe><iframe id="main" title="Rézone" src="' + base + '/"></iframe></html>')
    p = Page(browser, "desktop")
    try:
        pg = p.page
        pg.goto(f"http://127.0.0.1:{allowed.server_address[1]}/parent.html")
        inner = pg.frame_locator("#f")
        expect(inner.locator("#card-title")).to_have_text("Amiens", timeout=60_000)
        inner.locator("body.embed").wait_for(state="attached")
        expect(inner.locator(".site-header")).to_be_hidden()
        expect(inner.locator("#map")).to_be_visible()
        expect(inner.locator("#profession")).to_have_value("infirmier")
        main_frame = next((f for f in pg.frames if f.url == base + "/"), None)  # the main page: never framed
        assert main_frame is None or main_frame.evaluate("() => !document.querySelector('#map')")
        p.shot("map-embed")

        blocked = []
        pg.on("console", lambda m: blocked.append(m.text) if "frame-ancestors" in m.text else None)
        pg.goto(f"http://127.0.0.1:{other.server_address[1]}/parent.html")
        pg.wait_for_timeout(1500)
        loaded = [f for f in pg.frames if f.url.startswith(base) and f.evaluate("() => !!document.querySelector('#map')")]
        assert loaded == [] and blocked, blocked
    finally:
        p.close()
        for s in (allowed, other, app):
            s.shutdown()
            s.server_close()
