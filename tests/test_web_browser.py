"""The web client in headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

A local server (the real handlers, ``rezone_infra.server.make_server``) serves the small release
(départements 80, 13, 2A, 75) and ``web/dist``. At phone size (390×844, touch) and desktop size the
tests load the page, search a commune, open its card, switch profession, fill the simulator and
compare what the page shows with what the API answers for the same request; they check the URL
state, the printable sheet, an "API unreachable" case and that the console stays free of errors.
Screenshots go to ``tests/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import threading
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.needs_sources]

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"
SHOTS = Path(__file__).resolve().parent / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
VIEWPORTS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
              "has_touch": True},
    "desktop": {"viewport": {"width": 1366, "height": 900}},
}
TIMEOUT = 60_000  # a shared 2-core machine can take tens of seconds for a cold handler

if not CHROMIUM.exists():
    pytest.skip("no /usr/bin/chromium (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


def _ensure_dist() -> Path:
    dist = WEB / "dist"
    if (dist / "index.html").is_file() and any(dist.glob("app-*.js")):
        return dist
    if not (WEB / "node_modules").is_dir() or shutil.which("npm") is None:
        pytest.skip("web/dist is not built and npm/node_modules are missing (run scripts/setup.sh)")
    subprocess.run(["npm", "run", "--silent", "build"], cwd=WEB, check=True)
    return dist


@pytest.fixture(scope="module")
def server(small_release):
    from rezone_infra.server import make_server

    dist = _ensure_dist()
    srv = make_server(str(small_release["store"]), port=0, web_root=dist)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class Page:
    """A page with its console errors and uncaught exceptions recorded."""

    def __init__(self, browser, size: str, **extra):
        self.size = size
        self.context = browser.new_context(locale="fr-FR", **VIEWPORTS[size], **extra)
        self.context.set_default_timeout(TIMEOUT)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def shot(self, name: str) -> None:
        SHOTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{self.size}-{name}.png"), full_page=False)

    def close(self):
        self.context.close()


@pytest.fixture(params=list(VIEWPORTS))
def page(request, browser):
    p = Page(browser, request.param)
    yield p
    p.close()


def api(base: str, path: str, payload: dict | None = None):
    data = json.dumps(payload).encode() if payload is not None else None
    req = urllib.request.Request(base + path, data=data, method="POST" if data else "GET",
                                 headers={"Content-Type": "application/json"} if data else {})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def wait_map(pg) -> None:
    pg.wait_for_selector("body[data-map-ready='true']", state="attached")


def search(pg, text: str, expect: str) -> None:
    box = pg.locator("#search-input")
    box.click()
    box.fill("")
    box.type(text, delay=40)
    option = pg.locator("#search-results [role=option]", has_text=expect).first
    option.wait_for()
    option.click()
    pg.wait_for_function("t => document.querySelector('#card-title').textContent === t", arg=expect)


def test_search_card_profession_simulator(server, page, small_release):
    pg = page.page
    pg.goto(server + "/")
    wait_map(pg)
    assert pg.title().startswith("Rézone")
    # the legend has the style's colour for each class of the profession
    style = api(server, "/tiles/styles/medecin.json")
    for entry in style["metadata"]["rezone:legend"]:
        if entry["code"]:
            fill = pg.locator(f"#legend-list li[data-zone='{entry['code']}'] rect").get_attribute("fill")
            assert fill.lower() == entry["colour"].lower()
    if page.size == "phone":  # meanings folded on a phone, one tap away
        assert not pg.locator("#legend-list .meaning").first.is_visible()
        pg.locator("#legend-more").click()
        assert pg.locator("#legend-list li[data-zone='ZIP'] .meaning").is_visible()
    # France on first load: the view spans the mainland
    bounds = pg.evaluate("() => new URLSearchParams(location.search).get('zoom')")
    assert bounds is not None and float(bounds) < 7
    page.shot("1-france")

    # search without accents and pick Amiens → card with the real zonage of every profession
    search(pg, "amiens", "Amiens")
    pg.wait_for_selector("#card .zonage-list")
    assert "commune=80021" in pg.url and "profession=medecin" in pg.url
    loc = api(server, "/v1/communes?q=80021&limit=1")["results"][0]
    centre = loc["center"]
    lon, lat = (centre["lon"], centre["lat"]) if isinstance(centre, dict) else centre
    located = api(server, f"/v1/locate?lat={lat}&lon={lon}")
    for prof, z in located["zonage"].items():
        zone = z.get("commune_zonage", z)["code"] if z.get("territory") else z["code"]
        row = pg.locator(f".zonage-list li[data-profession='{prof}']")
        assert row.get_attribute("data-zone") == (zone or "")
    terr = api(server, "/v1/territories/commune/80021")
    shown = pg.locator("#card [data-figure='population'] .value").inner_text()
    assert re.sub(r"\D", "", shown) == str(terr["figures"]["population"]["value"])
    assert pg.locator("#card .bars").count() >= 1  # comparison charts
    pg.locator("#card-title").scroll_into_view_if_needed()
    page.shot("2-amiens-card")

    # switch profession: URL, legend and highlighted row follow
    with pg.expect_response(lambda r: r.url.endswith("/tiles/styles/infirmier.json") and r.status == 200):
        pg.select_option("#profession", "infirmier")
    pg.wait_for_function("() => location.search.includes('profession=infirmier')")
    assert "Infirmier" in pg.locator("#legend-title").inner_text()
    assert pg.locator(".zonage-list li.current").get_attribute("data-profession") == "infirmier"
    pg.select_option("#profession", "medecin")
    pg.wait_for_function("() => location.search.includes('profession=medecin')")

    # the simulator, rendered from the questionnaire
    pg.wait_for_selector("#sim-fields .q[data-name='project'] select")
    pg.select_option("#q-project", "installation")
    pg.locator(".q[data-name='first_liberal_installation'] input[value='true']").check()
    pg.select_option("#q-secteur", "1")
    pg.locator(".q[data-name='coordinated_practice'] input[value='true']").check()
    pg.fill("#q-days_per_week", "4.5")
    answers = {"project": "installation", "first_liberal_installation": True, "secteur": "1",
               "coordinated_practice": True, "days_per_week": 4.5}
    pg.locator("#sim-submit").click()
    pg.wait_for_selector("#sim-total")
    expected = api(server, "/v1/eligibility", {"profession": "medecin", "location": {"commune": "80021"},
                                                "answers": answers})
    shown = {li.get_attribute("data-aid"): li.get_attribute("data-status")
             for li in pg.locator("#sim-results li.aid").all()}
    assert shown == {a["id"]: a["status"] for a in expected["aids"]}
    total_text = pg.locator("#sim-total strong").inner_text()
    assert re.sub(r"\D", "", total_text) == str(round(expected["total_eligible_eur"] or 0))
    for a in expected["aids"]:
        li = pg.locator(f"#sim-results li.aid[data-aid='{a['id']}']")
        badge = li.locator(".badge").text_content()
        assert badge == {"eligible": "Éligible", "not_eligible": "Non éligible",
                         "missing_information": "Informations manquantes"}[a["status"]]
        if a["sources"]:
            assert li.locator(".sources a").count() >= 1
    pg.locator("#sim-results").scroll_into_view_if_needed()
    page.shot("3-simulation")
    assert page.errors == []


def test_keyboard_search_and_shared_url(server, browser):
    p = Page(browser, "desktop")
    pg = p.page
    try:
        pg.goto(server + "/")
        wait_map(pg)
        pg.locator("#search-input").focus()
        pg.keyboard.type("ajacc", delay=40)
        pg.locator("#search-results [role=option]").first.wait_for()
        pg.keyboard.press("ArrowDown")
        assert pg.locator("#search-input").get_attribute("aria-activedescendant") == "search-opt-0"
        pg.keyboard.press("Enter")
        pg.wait_for_function("() => document.querySelector('#card-title').textContent === 'Ajaccio'")
        assert "commune=2A004" in pg.url

        # accents are optional: "chepy" finds Chépy
        search(pg, "chepy", "Chépy")
        assert "commune=80190" in pg.url

        # a shared link reopens the same commune, profession and zoom
        pg.goto(server + "/?commune=13055&profession=sage_femme&zoom=10.5")
        pg.wait_for_function("() => document.querySelector('#card-title').textContent === 'Marseille'")
        assert pg.locator("#profession").input_value() == "sage_femme"
        # the flight ends at that zoom and writes its centre (the card may be written before the flight ends)
        pg.wait_for_function("() => { const u = new URLSearchParams(location.search); "
                             "return Math.abs(u.get('zoom') - 10.5) < 0.01 && u.has('centre'); }")
        assert "Sage-femme" in pg.locator("#legend-title").inner_text()

        # the aids catalogue of /v1/aids for the profession, loaded when opened
        pg.locator("#catalogue-box summary").click()
        pg.wait_for_selector("#catalogue-body li.aid")
        expected = [a["id"] for a in api(server, "/v1/aids")["aids"] if "sage_femme" in a["professions"]]
        shown = [li.get_attribute("data-aid") for li in pg.locator("#catalogue-body li.aid").all()]
        assert shown == expected and shown
        p.shot("4-shared-marseille")
        assert p.errors == []
    finally:
        p.close()


def test_postal_code_search_zip_aid_and_print_sheet(server, browser):
    """Ham (80400, a ZIP of the Somme): a first installation in secteur 1 gets the 2024 convention's
    10 000 € aid (seed 003: 10 000 € in ZIP from 1 Jan 2026); the printed sheet carries it."""
    p = Page(browser, "desktop")
    pg = p.page
    try:
        pg.goto(server + "/")
        wait_map(pg)
        search(pg, "80400", "Ham")
        assert pg.locator(".zonage-list li[data-profession='medecin']").get_attribute("data-zone") == "ZIP"
        pg.wait_for_selector("#q-project")
        pg.select_option("#q-project", "installation")
        pg.locator(".q[data-name='first_liberal_installation'] input[value='true']").check()
        pg.select_option("#q-secteur", "1")
        pg.locator("#sim-submit").click()
        pg.wait_for_selector("#sim-total")
        expected = api(server, "/v1/eligibility", {"profession": "medecin", "location": {"commune": "80410"},
                                                    "answers": {"project": "installation", "secteur": "1",
                                                                "first_liberal_installation": True}})
        primo = next(a for a in expected["aids"] if a["id"] == "M24-PRIMO-ZIP")
        assert primo["status"] == "eligible" and primo["amount"]["total"] == 10000
        li = pg.locator("#sim-results li.aid[data-aid='M24-PRIMO-ZIP']")
        assert li.get_attribute("data-status") == "eligible"
        assert re.sub(r"\D", "", li.locator(".amount strong").inner_text()) == "10000"
        assert li.locator(".why .reason").count() == len(primo["reasons"])

        pg.wait_for_selector("#share:not([hidden])")
        pg.evaluate("() => { window.print = () => { document.body.dataset.printed = '1'; }; }")
        pg.locator("#print-btn").click()
        pg.wait_for_selector("body[data-printed='1']", state="attached")
        sheet = pg.locator("#print-sheet")
        text = sheet.inner_text()
        assert "Carte d'identité du projet" in text and "Ham (80410)" in text
        assert "Zone d'intervention prioritaire" in text
        assert "10 000" in text.replace("\u202f", " ").replace("\xa0", " ")
        pg.emulate_media(media="print")
        assert sheet.is_visible() and not pg.locator("main").is_visible()
        assert sheet.locator("img.ps-map").count() == 1  # the map snapshot
        p.shot("5-print")
        pdf = pg.pdf(format="A4", print_background=True)
        (SHOTS / "print-ham.pdf").write_bytes(pdf)
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # one page
        assert p.errors == []
    finally:
        p.close()


AXE = WEB / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_accessibility_axe(server, browser, size):
    """axe-core (WCAG 2 A/AA rules) finds no violation on the first view, nor on a commune card with a
    simulation result. The context bypasses the CSP only to inject axe itself."""
    if not AXE.is_file():
        pytest.skip("axe-core is not installed (npm ci in web/)")
    p = Page(browser, size, bypass_csp=True)
    pg = p.page
    run_axe = ("async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'best-practice']}))"
               ".violations.map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)")
    try:
        pg.goto(server + "/")
        wait_map(pg)
        pg.add_script_tag(path=str(AXE))
        assert pg.evaluate(run_axe) == []
        pg.goto(server + "/?commune=80410&profession=medecin&zoom=11&centre=3.06992,49.75294")
        pg.wait_for_selector("#q-project")
        pg.select_option("#q-project", "installation")
        pg.locator("#sim-submit").click()
        pg.wait_for_selector("#sim-total")
        pg.add_script_tag(path=str(AXE))
        assert pg.evaluate(run_axe) == []
        assert p.errors == []
    finally:
        p.close()


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_first_paint_before_the_map(server, browser, size):
    """A shared link paints the header, the search and the commune's summary (and its card on a
    desktop) from the API's answers while MapLibre's chunk is still held back by the test; then the
    map comes, nothing shifts (CLS ≤ 0.05) and the attribution is not the largest paint. Screenshots
    of both moments."""
    p = Page(browser, size)
    pg = p.page
    held = []
    pg.route(re.compile(r"/map-[A-Z2-7]{8}\.js$"), lambda route: held.append(route))  # answered when released
    try:
        pg.goto(server + "/?commune=80021&profession=medecin")
        pg.wait_for_selector("#map-summary .sum-name")
        pg.wait_for_function("() => document.fonts.status === 'loaded'")
        assert pg.evaluate("document.body.dataset.mapCreated") is None
        assert pg.locator("#search-input").is_visible() and pg.locator(".site-header h1").is_visible()
        loc = api(server, "/v1/locate?lat=49.89871&lon=2.28468")
        zone = loc["zonage"]["medecin"]["code"]
        summary = pg.locator("#map-summary").inner_text()
        assert "Amiens (80021)" in summary and "136" in summary
        label = pg.evaluate("z => document.querySelector(`#legend-list li[data-zone='${z}'] strong`).textContent", zone)
        assert label in summary
        if size == "desktop":  # the card is beside the map: already there too
            pg.wait_for_selector("#card .zonage-list")
        p.shot("first-paint-deep-link")
        deadline = 300  # tenths of a second (a loaded machine)
        while not held and deadline:
            pg.wait_for_timeout(100)
            deadline -= 1
        assert held, "the map chunk was never requested"
        for route in held:
            route.continue_()
        wait_map(pg)
        pg.wait_for_timeout(300)
        p.shot("settled-deep-link")
        cls = pg.evaluate("""() => new Promise(resolve => {
            let total = 0;
            new PerformanceObserver(list => {
              for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value;
            }).observe({type: 'layout-shift', buffered: true});
            setTimeout(() => resolve(total), 100);
        })""")
        assert cls <= 0.05
        lcp = pg.evaluate("""() => new Promise(resolve => {
            new PerformanceObserver(list => {
              const e = list.getEntries().at(-1);  // (its element is null once the card replaced it)
              resolve(e ? `${e.element ? e.element.tagName : 'removed'} ${e.element ? e.element.className : ''}` : '');
            }).observe({type: 'largest-contentful-paint', buffered: true});
        })""")
        assert lcp and "maplibregl" not in lcp
        assert p.errors == []
    finally:
        p.close()


def lnglat_at(pg, dx: float, dy: float) -> tuple[float, float]:
    """Longitude/latitude of the map pixel (dx, dy) from the map's centre, from the URL's centre and
    zoom (Web Mercator, 512-pixel world at zoom 0 as in MapLibre)."""
    q = pg.evaluate("() => Object.fromEntries(new URLSearchParams(location.search))")
    lon0, lat0 = (float(v) for v in q["centre"].split(","))
    world = 512 * 2 ** float(q["zoom"])
    y0 = (1 - math.log(math.tan(math.radians(lat0)) + 1 / math.cos(math.radians(lat0))) / math.pi) / 2 * world
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y0 + dy) / world))))
    return lon0 + dx * 360 / world, lat


def test_map_tap_layers_and_geolocation(server, browser):
    """Tap the map → the commune under the finger (as /v1/locate says); facilities toggle with the types
    of /v1/facilities around; geolocation → the commune of the position."""
    p = Page(browser, "phone", geolocation={"latitude": 43.2965, "longitude": 5.3698}, permissions=["geolocation"])
    pg = p.page
    try:
        pg.goto(server + "/?commune=80021&profession=medecin&zoom=11&centre=2.28468,49.89871")
        wait_map(pg)
        pg.wait_for_function("() => document.querySelector('#card-title').textContent === 'Amiens'")
        box = pg.locator("#map canvas").bounding_box()
        lon, lat = lnglat_at(pg, 120, 0)
        expected = api(server, f"/v1/locate?lat={lat}&lon={lon}")["commune"]
        assert expected["code"] != "80021"
        pg.locator("#map canvas").tap(position={"x": box["width"] / 2 + 120, "y": box["height"] / 2})
        pg.wait_for_function("n => document.querySelector('#card-title').textContent === n", arg=expected["name"])
        assert f"commune={expected['code']}" in pg.url

        pg.locator("#layers-box summary").click()
        pg.locator("#layer-facilities").check()
        q = pg.evaluate("() => Object.fromEntries(new URLSearchParams(location.search))")
        lon0, lat0 = (float(v) for v in q["centre"].split(","))
        pg.wait_for_function("() => document.querySelectorAll('#facility-type option').length > 1")
        box5 = ",".join(f"{v:.5f}" for v in (lon0 - 0.05, lat0 - 0.05, lon0 + 0.05, lat0 + 0.05))  # API's decimals
        around = api(server, f"/v1/facilities?bbox={box5}")
        offered = {o.get_attribute("value") for o in pg.locator("#facility-type option").all()}
        # the filter offers kinds of structure (CHR/CHU, HAD, dialyse, SMR…), not legal statuses
        assert {f["properties"]["kind"] for f in around["features"]} <= offered
        assert "had" in offered or "dialyse" in offered or "ssr" in offered
        pg.select_option("#facility-type", "centre_hospitalier" if "centre_hospitalier" in offered else "chu_chr")
        assert "établissements" in pg.locator("#facility-legend").inner_text()
        p.shot("7-facilities")

        # the release has the raster step: the distance-to-hospital layer is offered and drawn
        pg.locator("#layer-hospital-label").wait_for()
        with pg.expect_response(lambda r: "/tiles/acces-hopital/" in r.url and r.status in (200, 204)):
            pg.locator("#layer-hospital").check()
        assert pg.locator("#hospital-legend").is_visible()

        pg.locator(".maplibregl-ctrl-geolocate").click()
        pg.wait_for_function("() => document.querySelector('#card-title').textContent === 'Marseille'")
        assert "commune=13055" in pg.url
        assert p.errors == []
    finally:
        p.close()


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_api_unreachable(server, browser, size):
    p = Page(browser, size)
    pg = p.page
    try:
        pg.route(re.compile(r".*/(v1|tiles)/.*"), lambda route: route.abort("connectionrefused"))
        pg.goto(server + "/")
        status = pg.locator("#status")
        status.wait_for()
        assert "injoignable" in status.inner_text()
        assert status.get_attribute("role") == "alert"
        # the map (loaded after the first paint) then says it too
        pg.wait_for_function("() => document.querySelector('#map-message').textContent.includes(\"n'a pas pu être chargée\")")
        p.shot("6-api-unreachable")
        assert [e for e in p.errors if e.startswith("pageerror")] == []
    finally:
        p.close()


def test_request_failure_mid_session(server, browser):
    """The service answers, then a territory request fails: the card and the banner say so, and
    "Réessayer" succeeds once the service is back."""
    p = Page(browser, "phone")
    pg = p.page
    try:
        pg.goto(server + "/")
        wait_map(pg)
        failing = {"on": True}

        def handle(route):
            if failing["on"]:
                route.fulfill(status=503, content_type="application/problem+json",
                              body=json.dumps({"title": "Service momentanément indisponible", "status": 503}))
            else:
                route.continue_()

        pg.route(re.compile(r".*/v1/territories/commune/.*"), handle)
        box = pg.locator("#search-input")
        box.type("marseille", delay=40)
        pg.locator("#search-results [role=option]", has_text="Marseille").first.click()
        pg.wait_for_function("() => document.querySelector('#card-title').textContent === 'Fiche indisponible'")
        assert "injoignable" in pg.locator("#card-body").inner_text()
        status = pg.locator("#status")
        assert status.is_visible() and status.get_attribute("role") == "alert"
        p.shot("8-request-failed")
        failing["on"] = False
        status.get_by_role("button", name="Réessayer").click()
        pg.wait_for_function("() => document.querySelector('#card-title').textContent === 'Marseille'")
        assert [e for e in p.errors if e.startswith("pageerror")] == []
    finally:
        p.close()


def test_village_card_potentiel_first(server, page, small_release):
    """Woincourt (80), a village of the bassin de vie of Friville-Escarbotin: the card opens with the
    "Potentiel" block (zonage, GP density of its BV vs département/région/France, 75+ and ALD shares,
    nearest hospital and urgences), then the health environment (BPE 2020 counts, CPTS unknown outside
    PACA); no sports, commuting or diploma figure."""
    pg = page.page
    pg.goto(server + "/?commune=80827&profession=medecin")
    wait_map(pg)
    pg.wait_for_function("() => document.querySelector('#card-title').textContent === 'Woincourt'")
    pg.wait_for_selector("#card .potentiel")
    terr = api(server, "/v1/territories/commune/80827")
    first = pg.locator("#card-body section.block").first
    assert first.get_attribute("aria-labelledby") == "potentiel-title"
    dens = terr["figures"]["bv.densite_de_generalistes_lib"]
    block = pg.locator("#card div.figure[data-figure='bv.densite_de_generalistes_lib']")
    assert block.locator("tr").count() >= 4  # BV, département, région, France
    assert fmt_fr(dens["value"]) in block.locator("tr").first.inner_text()
    assert "Friville-Escarbotin" in block.inner_text()
    for fid in ("bv.part_des_pers_agees_de_75_ans_ou_plus", "bv.part_des_benef_en_ald_dans_la_pop"):
        assert pg.locator(f"#card .potentiel div.figure[data-figure='{fid}']").count() == 1
    near = pg.locator("#card .nearest").inner_text()
    assert terr["nearest"]["hopital"]["name"] in near and terr["nearest"]["urgences"]["commune"]["name"] in near
    pharm = pg.locator("#card tr[data-bpe='pharmacie'] td").first.inner_text()
    assert int(pharm) == terr["figures"]["bpe.pharmacie"]["value"]
    text = pg.locator("#card-body").inner_text().lower()
    assert "inconnu" in pg.locator("#card").inner_text() and "cpts" in text
    for bad in ("natation", "gymnase", "vélo", "voiture", "transports en commun", "diplôm"):
        assert bad not in text
    # a kinésithérapeute: no BV density in the sources, said so
    pg.select_option("#profession", "masseur_kinesitherapeute")
    pg.wait_for_function("() => document.querySelector('#potentiel-title').textContent.includes('kiné')")
    assert "non disponible" in pg.locator("#card [data-figure='densite_masseur_kinesitherapeute']").inner_text()
    pg.select_option("#profession", "medecin")
    pg.wait_for_function("() => document.querySelector('#potentiel-title').textContent.includes('édecin')")
    pg.locator("#potentiel-title").scroll_into_view_if_needed()
    page.shot("7-village-potentiel")
    pg.locator("#env-title").scroll_into_view_if_needed()
    page.shot("8-village-environment")
    # a village of PACA names its CPTS
    pg.goto(server + "/?commune=13011&profession=medecin")
    pg.wait_for_function("() => document.querySelector('#card-title').textContent === 'Les Baux-de-Provence'")
    pg.wait_for_selector("#card .potentiel")
    assert "CPTS du Pays d'Arles" in pg.locator("#card-body").inner_text()
    assert not page.errors, page.errors


def fmt_fr(v: float) -> str:
    return f"{v:g}".replace(".", ",")
