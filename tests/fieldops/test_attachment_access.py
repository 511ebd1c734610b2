"""Field photos and signatures are served only to those who see their order."""
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from fieldops.services import attach_file, dispatch_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def photo(media, make_technician, make_order, dispatcher, as_user):
    """A photo the order's technician took, and its URL as the API gives it."""
    owner = make_technician("tiago")
    order = dispatch_order(make_order(assignee=owner), as_user(dispatcher))
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "JPEG")
    attachment, _created = attach_file(
        order, as_user(owner.user, client_action_id=uuid.uuid4()), kind="photo",
        upload=SimpleUploadedFile("IMG_1.jpg", buffer.getvalue()),
    )
    attachment.bytes = buffer.getvalue()
    return attachment


def browser_for(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_orders_technician_and_a_dispatcher_get_the_file(photo, dispatcher):
    for user in (photo.order.assignee.user, dispatcher):
        response = browser_for(user).get(photo.file.url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "private, max-age=86400"
        assert b"".join(response.streaming_content) == photo.bytes


def test_the_api_links_the_checked_address(photo):
    client = browser_for(photo.order.assignee.user)
    listed = client.get(f"/api/fieldops/service-orders/{photo.order.pk}/attachments/").json()
    assert listed[0]["url"].endswith(photo.file.url)
    assert client.get(listed[0]["url"]).status_code == 200


def test_anonymous_and_other_users_get_nothing(photo, make_technician, make_user):
    assert browser_for().get(photo.file.url).status_code == 403
    another_technician = make_technician("outro").user
    assert browser_for(another_technician).get(photo.file.url).status_code == 404
    # Without a role a user may not view service orders at all.
    assert browser_for(make_user("sem-papel")).get(photo.file.url).status_code == 404


def test_unknown_and_traversing_paths_are_404(photo):
    client = browser_for(photo.order.assignee.user)
    assert client.get("/media/fieldops/orders/1/none.jpg").status_code == 404
    assert client.get("/media/fieldops/../fieldops/" + photo.file.name).status_code == 404


@pytest.mark.parametrize("tail", ["orders/%C2%B2/x.jpg", "orders/1/x%00.jpg", "orders/%C2%B2%C2%B2/x", "orders/1/../x.jpg"])
def test_odd_media_paths_are_404(photo, dispatcher, tail):
    """Audit defect 11: `²` passed isdigit() and NUL reached PostgreSQL, both a 500."""
    assert browser_for(dispatcher).get(f"/media/fieldops/{tail}").status_code == 404


def test_a_photo_is_served_inline_under_a_csp_that_runs_nothing(photo, dispatcher):
    response = browser_for(dispatcher).get(photo.file.url)
    assert response["Content-Disposition"] == "inline"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
