"""Audit defect 2: a proposal's attachments and signature are typed by their content, stored
under names we make, and served so that an HTML or SVG file runs nothing when an admin opens it."""

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from crm.sales.models import ProposalAttachment
from crm.sales.services import create_proposal
from tests.crm.sales_fixtures import *  # noqa: F403  (fixtures)

pytestmark = pytest.mark.django_db

HTML = b"<!doctype html><script>alert(document.cookie)</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def upload(data, name):
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def proposal(make_lead, rep, plan):
    return create_proposal(lead=make_lead(owner=rep.user), user=rep.user, items=[{"plan": plan}])


def attach(rep, proposal, data, name):
    return rep.post(
        f"/api/crm/proposals/{proposal.pk}/attachments/", {"file": upload(data, name)}, format="multipart"
    )


def opened_by(admin, client, field_file):
    client.force_login(admin.user)
    response = client.get(field_file.url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("data, name", [(HTML, "oferta.html"), (SVG, "oferta.svg"), (b"hello", "x.txt")])
def test_pages_and_svgs_are_refused_at_upload(rep, proposal, data, name):
    response = attach(rep, proposal, data, name)
    assert response.status_code == 400
    assert response.json() == {"file": ["Send a file of one of these types: JPEG, PNG, WebP, PDF."]}
    assert not proposal.attachments.exists()


def test_a_png_named_html_is_stored_as_png_and_shown_inline(rep, admin, client, proposal):
    assert attach(rep, proposal, png_bytes(), "assinatura.html").status_code == 201
    stored = proposal.attachments.get().file
    assert stored.name.endswith(".png") and "assinatura" not in stored.name
    response = opened_by(admin, client, stored)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == "inline"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_pdf_is_shown_inline(rep, admin, client, proposal):
    assert attach(rep, proposal, b"%PDF-1.4\n%%EOF\n", "oferta.pdf").status_code == 201
    response = opened_by(admin, client, proposal.attachments.get().file)
    assert response["Content-Type"] == "application/pdf" and response["Content-Disposition"] == "inline"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'"


def test_a_signature_png_named_html_is_stored_as_png(rep, proposal):
    response = rep.post(
        f"/api/crm/proposals/{proposal.pk}/accept/",
        {"signature_image": upload(png_bytes(), "assinatura.html")},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    proposal.refresh_from_db()
    assert proposal.signature_image.name.endswith(".png")


def test_a_signature_svg_is_refused(rep, proposal):
    response = rep.post(
        f"/api/crm/proposals/{proposal.pk}/accept/",
        {"signature_image": upload(SVG, "assinatura.png")},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json() == {"signature_image": ["Send a file of one of these types: PNG, JPEG."]}


@pytest.mark.parametrize("data, name", [(HTML, "oferta.html"), (SVG, "oferta.svg")])
def test_a_page_stored_before_the_check_is_only_downloaded(admin, client, proposal, data, name):
    attachment = ProposalAttachment(proposal=proposal)
    attachment.file.save(name, ContentFile(data))
    response = opened_by(admin, client, attachment.file)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.parametrize("tail", ["%C2%B2", "x%00.png", "../../settings.py", "%2E%2E/x.png", "a\\b"])
def test_odd_media_paths_are_404(admin, client, proposal, tail):
    client.force_login(admin.user)
    assert client.get(f"/media/crm/proposals/{proposal.number}/{tail}").status_code == 404
    assert client.get(f"/media/crm/proposals/{tail}").status_code == 404
