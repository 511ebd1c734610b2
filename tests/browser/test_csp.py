"""The pages' Content-Security-Policy in Chromium: our own pages and map documents draw
without a violation, and an inline script injected into a page is refused and reported."""
import datetime

import pytest
from django.contrib.gis.geos import Point

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_our_pages_run_clean_and_an_injected_inline_script_is_refused(page, make_user, login):
    from fieldops.services import create_technician
    from gis.models import CtoBox

    CtoBox.objects.create(code="CTO-1", ports_total=8, point=Point(-51.22, -30.033, srid=4326))
    depot = Point(-51.2177, -30.0346, srid=4326)
    technician = create_technician(user=make_user("tiago", "technician"), shift_start=datetime.time(8),
                                   shift_end=datetime.time(17), start_point=depot, end_point=depot)
    violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    make_user("admin", "admin")
    login("admin")
    page.wait_for_url("**/")
    page.frame_locator("iframe.overview-map").locator(".leaflet-container").wait_for()
    for path in ("/map/", "/reports/clients/map/", "/sales/pipeline/"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    page.goto("/api/docs/")
    page.locator(".swagger-ui .info").wait_for()
    # The route sheet's map runs folium's script in a sandboxed iframe, under the page's nonce.
    page.goto(f"/reports/route-sheet/{technician.pk}/{datetime.date.today().isoformat()}/")
    page.frame_locator("#sheet-map").locator(".leaflet-container").wait_for()
    page.wait_for_load_state("networkidle")
    assert violations == []

    page.goto("/map/")
    reported = page.evaluate("""() => new Promise(resolve => {
        document.addEventListener('securitypolicyviolation', event => resolve(event.effectiveDirective));
        const script = document.createElement('script');
        script.textContent = 'window.injected = true';
        document.body.appendChild(script);
    })""")
    assert reported == "script-src-elem"
    assert page.evaluate("() => window.injected") is None
    assert any("script-src" in text for text in violations), violations
