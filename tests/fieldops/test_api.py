"""The field API the dispatcher's screen and the technician's phone call."""
import datetime
import io
import uuid

import pytest
from django.utils import timezone
from PIL import Image

from fieldops.models import Attachment, MaterialUsage, OrderEvent, PositionReport, ServiceOrder
from fieldops.services import dispatch_order

from .conftest import CENTER

pytestmark = pytest.mark.django_db


@pytest.fixture
def technician_client(english_client_for, make_technician):
    client = english_client_for("technician", username="tiago")
    client.technician = make_technician(client.user)
    return client


@pytest.fixture
def dispatcher_client(english_client_for):
    return english_client_for("dispatcher")


@pytest.fixture
def dispatched(make_order, technician_client, dispatcher_client, as_user):
    """An order on the technician's phone."""
    order = make_order(assignee=technician_client.technician)
    return dispatch_order(order, as_user(dispatcher_client.user))


def url(order, action=""):
    return f"/api/fieldops/service-orders/{order.pk}/" + (f"{action}/" if action else "")


def png_bytes(size=(4, 4), image_format="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, image_format)
    return buffer.getvalue()


def upload(name, data):
    file = io.BytesIO(data)
    file.name = name
    return file


def test_the_technicians_day_through_the_api(technician_client, dispatched, connector):
    client = technician_client
    moved = client.post(url(dispatched, "transition"), {"to": "en_route", "version": 2}, format="json")
    assert moved.status_code == 200, moved.data
    assert (moved.data["status"], moved.data["version"]) == ("en_route", 3)
    arrival = {"to": "on_site", "point": {"type": "Point", "coordinates": [CENTER[0] + 0.001, CENTER[1]]}}
    assert client.post(url(dispatched, "transition"), arrival, format="json").status_code == 200
    for item in client.get(url(dispatched, "checklist")).data:
        ticked = client.post(url(dispatched, "checklist"), {"code": item["code"], "done": True}, format="json")
        assert ticked.status_code == 200 and ticked.data["done"]
    used = client.post(url(dispatched, "materials"), {"material": connector.pk, "quantity": "2"}, format="json")
    assert used.status_code == 201, used.data
    note = client.post(url(dispatched, "notes"), {"text": "Replaced the connector"}, format="json")
    assert note.status_code == 201
    done = client.post(url(dispatched, "transition"), {"to": "completed"}, format="json")
    assert done.status_code == 200, done.data
    assert done.data["status"] == "completed" and done.data["completed_at"]

    events = client.get(url(dispatched, "events")).data
    check_in = next(event for event in events if event["to_status"] == "on_site")
    assert check_in["actor"] == "tiago" and check_in["ip"] == "127.0.0.1"
    assert 90 < check_in["distance_m"] < 110  # 0.001° of longitude at 30° S
    assert [event["kind"] for event in events].count("checklist") == 4


def test_completion_without_its_checklist(technician_client, dispatched):
    for to in ("en_route", "on_site"):
        technician_client.post(url(dispatched, "transition"), {"to": to}, format="json")
    response = technician_client.post(url(dispatched, "transition"), {"to": "completed"}, format="json")
    assert response.status_code == 400
    assert response.data["checklist"][0].startswith("Tick every checklist item before completing: ")


def test_installation_completion_over_the_api(technician_client, dispatcher_client, make_installation, contract, as_user):
    order = dispatch_order(make_installation(technician_client.technician), as_user(dispatcher_client.user))
    for to in ("en_route", "on_site"):
        technician_client.post(url(order, "transition"), {"to": to}, format="json")
    for item in technician_client.get(url(order, "checklist")).data:
        technician_client.post(url(order, "checklist"), {"code": item["code"], "done": True}, format="json")
    missing = technician_client.post(url(order, "transition"), {"to": "completed"}, format="json")
    assert missing.status_code == 400
    assert missing.data["cto_port"] == ["Give the box and port the client was connected to."]
    done = technician_client.post(
        url(order, "transition"), {"to": "completed", "cto_box": contract.cto_box_id, "cto_port": 4}, format="json"
    )
    assert done.status_code == 200, done.data
    contract.refresh_from_db()
    assert (contract.status, contract.cto_port) == ("active", 4)


def test_illegal_and_forbidden_transitions(technician_client, dispatched, dispatcher_client):
    skip = technician_client.post(url(dispatched, "transition"), {"to": "completed"}, format="json")
    assert skip.status_code == 400
    assert skip.data["status"] == ["An order cannot go from “Dispatched” to “Completed”."]
    cancel = technician_client.post(url(dispatched, "transition"), {"to": "cancelled", "reason": "x"}, format="json")
    assert cancel.status_code == 403
    assert cancel.data["detail"] == "Only a dispatcher may set an order to “Cancelled”."
    no_reason = dispatcher_client.post(url(dispatched, "transition"), {"to": "cancelled"}, format="json")
    assert no_reason.status_code == 400 and no_reason.data["reason"] == ["Give a reason."]
    unknown = dispatcher_client.post(url(dispatched, "transition"), {"to": "teleported"}, format="json")
    assert unknown.status_code == 400 and "to" in unknown.data
    assert ServiceOrder.objects.get(pk=dispatched.pk).status == "dispatched"


def test_stale_edit_and_stale_transition_get_409(dispatcher_client, english_client_for, make_order):
    order = make_order()
    other = english_client_for("dispatcher", username="outro-despachante")
    first = dispatcher_client.patch(url(order), {"description": "Ladder", "version": 1}, format="json")
    assert first.status_code == 200 and first.data["version"] == 2
    second = other.patch(url(order), {"description": "No ladder", "version": 1}, format="json")
    assert second.status_code == 409
    assert second.data["detail"] == (
        f"Order {order.number} was changed by someone else since you loaded it "
        "(version 1, now 2). Reload it and try again."
    )
    stale_move = other.post(url(order, "transition"), {"to": "cancelled", "reason": "dup", "version": 1}, format="json")
    assert stale_move.status_code == 409
    order.refresh_from_db()
    assert (order.description, order.status, order.version) == ("Ladder", "open", 2)


def test_status_is_not_patched(dispatcher_client, make_order):
    order = make_order()
    response = dispatcher_client.patch(url(order), {"status": "cancelled"}, format="json")
    assert response.status_code == 400
    assert response.data["status"] == ["Change the status with the order's transition action, not by editing it."]


def test_a_replayed_transition_and_note_change_nothing(technician_client, dispatched):
    move = {"to": "en_route", "version": 2, "client_action_id": str(uuid.uuid4())}
    first = technician_client.post(url(dispatched, "transition"), move, format="json")
    again = technician_client.post(url(dispatched, "transition"), move, format="json")
    assert first.status_code == again.status_code == 200
    assert first.data["version"] == again.data["version"] == 3

    note = {"text": "Dog in the yard", "client_action_id": str(uuid.uuid4())}
    created = technician_client.post(url(dispatched, "notes"), note, format="json")
    replayed = technician_client.post(url(dispatched, "notes"), note, format="json")
    assert (created.status_code, replayed.status_code) == (201, 200)
    assert created.data["id"] == replayed.data["id"]
    assert OrderEvent.objects.filter(order=dispatched).count() == 3  # dispatched, en route, note


def test_another_technicians_order(technician_client, make_order, make_technician, connector):
    order = make_order(assignee=make_technician("outro"))
    for action, data in [
        ("transition", {"to": "en_route"}),
        ("notes", {"text": "hello"}),
        ("materials", {"material": connector.pk, "quantity": 1}),
        ("checklist", {"code": "safety", "done": True}),
    ]:
        assert technician_client.post(url(order, action), data, format="json").status_code == 404
    assert not OrderEvent.objects.exists()


def test_sales_reads_but_cannot_write_orders_in_the_field(english_client_for, dispatched):
    sales = english_client_for("sales")
    assert sales.get(url(dispatched, "events")).status_code == 200
    response = sales.post(url(dispatched, "notes"), {"text": "hi"}, format="json")
    assert response.status_code == 403
    assert response.data["detail"] == "Only the order's technician or a dispatcher may do this."


def test_checklist_and_material_bad_input(technician_client, dispatched, connector, drop_cable):
    bad_code = technician_client.post(url(dispatched, "checklist"), {"code": "nope", "done": True}, format="json")
    assert bad_code.status_code == 400
    assert bad_code.data["code"] == ["“nope” is not an item of this order's checklist."]
    half = technician_client.post(url(dispatched, "materials"), {"material": connector.pk, "quantity": "1.5"}, format="json")
    assert half.status_code == 400
    assert half.data["quantity"] == ["“SC/APC connector” is counted in whole pieces."]
    negative = technician_client.post(url(dispatched, "materials"), {"material": drop_cable.pk, "quantity": "-3"}, format="json")
    assert negative.status_code == 400 and "quantity" in negative.data
    metres = technician_client.post(url(dispatched, "materials"), {"material": drop_cable.pk, "quantity": "37.5"}, format="json")
    assert metres.status_code == 201 and metres.data["quantity"] == "37.50"
    assert MaterialUsage.objects.count() == 1
    assert technician_client.get(url(dispatched, "materials")).data[0]["material_name"] == "Drop cable"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_photo_upload_is_idempotent(technician_client, dispatched, media):
    photo_id = str(uuid.uuid4())
    data = png_bytes(image_format="JPEG")

    def send():
        return technician_client.post(
            url(dispatched, "attachments"),
            {"id": photo_id, "kind": "photo", "file": upload("IMG_0001.jpg", data)},
            format="multipart",
        )

    first, again = send(), send()
    assert (first.status_code, again.status_code) == (201, 200), first.data
    assert first.data["id"] == again.data["id"] == photo_id
    assert first.data["content_type"] == "image/jpeg" and first.data["size"] == len(data)
    stored = Attachment.objects.get()
    assert (media / stored.file.name).read_bytes() == data
    assert stored.file.name.startswith(f"fieldops/orders/{dispatched.pk}/photo-")
    assert len(list(media.rglob("*.jpg"))) == 1


def test_signature_and_bad_files(technician_client, dispatched, media, settings):
    def send(name, data, kind="signature", attachment_id=None):
        return technician_client.post(
            url(dispatched, "attachments"),
            {"id": attachment_id or str(uuid.uuid4()), "kind": kind, "file": upload(name, data)},
            format="multipart",
        )

    assert send("signature.png", png_bytes()).status_code == 201
    not_an_image = send("evil.png", b"<?php system($_GET['c']); ?>")
    assert not_an_image.status_code == 400
    assert not_an_image.data["file"] == ["Send a file of one of these types: JPEG, PNG, WebP."]
    settings.MALHA_ATTACHMENT_MAX_BYTES = 100
    too_big = send("big.png", png_bytes((300, 300)))
    assert too_big.status_code == 400 and too_big.data["file"][0].startswith("The file has ")
    assert send("x.png", png_bytes(), kind="video").status_code == 400
    assert Attachment.objects.count() == 1


def test_an_upload_id_reused_on_another_order(technician_client, dispatched, make_order, as_user, dispatcher_client, media):
    other = dispatch_order(make_order(assignee=technician_client.technician), as_user(dispatcher_client.user))
    photo_id = str(uuid.uuid4())
    for order, expected in ((dispatched, 201), (other, 409)):
        response = technician_client.post(
            url(order, "attachments"),
            {"id": photo_id, "kind": "photo", "file": upload("a.png", png_bytes())},
            format="multipart",
        )
        assert response.status_code == expected
    assert response.data["detail"] == "This client_action_id was already used for another action."


def test_position_reports_are_throttled_and_trimmed(technician_client, settings):
    settings.MALHA_POSITION_HISTORY = 2
    start = timezone.now() - datetime.timedelta(minutes=5)

    def report(seconds):
        return technician_client.post(
            "/api/fieldops/positions/",
            {
                "point": {"type": "Point", "coordinates": [CENTER[0], CENTER[1] + seconds * 1e-5]},
                "recorded_at": (start + datetime.timedelta(seconds=seconds)).isoformat(),
                "accuracy_m": 8,
            },
            format="json",
        )

    assert report(0).status_code == 201
    assert report(5).data == {"stored": False}  # sooner than 15 s after the last one
    assert report(0).data == {"stored": False}  # a replay
    assert report(20).status_code == 201
    assert report(40).status_code == 201
    technician = technician_client.technician
    technician.refresh_from_db()
    assert technician.last_position_at == start + datetime.timedelta(seconds=40)
    assert list(PositionReport.objects.values_list("recorded_at", flat=True)) == [
        start + datetime.timedelta(seconds=40), start + datetime.timedelta(seconds=20),
    ]
    history = technician_client.get(f"/api/fieldops/technicians/{technician.pk}/positions/")
    assert history.data["count"] == 2


def test_position_bad_input(technician_client, english_client_for):
    future = {
        "point": {"type": "Point", "coordinates": list(CENTER)},
        "recorded_at": (timezone.now() + datetime.timedelta(hours=1)).isoformat(),
    }
    response = technician_client.post("/api/fieldops/positions/", future, format="json")
    assert response.status_code == 400 and response.data["recorded_at"] == ["The position's time is in the future."]
    nowhere = {"point": {"type": "Point", "coordinates": [200, 0]}, "recorded_at": timezone.now().isoformat()}
    assert technician_client.post("/api/fieldops/positions/", nowhere, format="json").status_code == 400
    dispatcher = english_client_for("dispatcher")
    denied = dispatcher.post("/api/fieldops/positions/", {**future, "recorded_at": timezone.now().isoformat()}, format="json")
    assert denied.status_code == 403
    assert not PositionReport.objects.exists()


def test_overdue_filter(dispatcher_client, make_order):
    late, _on_time = make_order(), make_order()
    ServiceOrder.objects.filter(pk=late.pk).update(due_at=timezone.now() - datetime.timedelta(minutes=1))
    listed = dispatcher_client.get("/api/fieldops/service-orders/", {"overdue": "true"}).data
    assert [row["number"] for row in listed["results"]] == [late.number]
    assert listed["results"][0]["is_overdue"] is True


def test_sectors_and_materials_catalogue(dispatcher_client, technician_client, connector):
    area = {"type": "MultiPolygon", "coordinates": [[[[-51.23, -30.04], [-51.21, -30.04], [-51.21, -30.02], [-51.23, -30.04]]]]}
    created = dispatcher_client.post(
        "/api/fieldops/sectors/",
        {"name": "Centro", "area": area, "technicians": [technician_client.technician.pk]},
        format="json",
    )
    assert created.status_code == 201, created.data
    assert technician_client.technician.sectors.get().name == "Centro"
    assert technician_client.get("/api/fieldops/sectors/").status_code == 403
    assert [m["code"] for m in technician_client.get("/api/fieldops/materials/").data["results"]] == ["sc-apc"]
    assert technician_client.post("/api/fieldops/materials/", {"code": "x", "name": "X"}, format="json").status_code == 403


def test_an_order_with_history_is_not_deleted(dispatcher_client, make_order, dispatched):
    fresh = make_order()
    assert dispatcher_client.delete(url(fresh)).status_code == 204
    response = dispatcher_client.delete(url(dispatched))
    assert response.status_code == 400
    assert "cannot be deleted: 1 record(s) of order events still refer to it" in (
        response.data["non_field_errors"][0]
    )
    assert ServiceOrder.objects.filter(pk=dispatched.pk).exists()


def test_sla_report_per_technician(dispatcher_client, technician_client, make_order, make_technician):
    ana = make_technician("ana")
    today = timezone.localdate()
    now = timezone.now()
    late, on_time, other = make_order(assignee=technician_client.technician), make_order(
        assignee=technician_client.technician
    ), make_order(assignee=ana)
    for order, deadline in ((late, now - datetime.timedelta(hours=1)), (on_time, now), (other, now)):
        ServiceOrder.objects.filter(pk=order.pk).update(
            status="completed", completed_at=now - datetime.timedelta(minutes=30), due_at=deadline
        )
    make_order(assignee=ana)  # still open: not in the report
    period = {"first_day": today.isoformat(), "last_day": today.isoformat()}
    report = dispatcher_client.get("/api/fieldops/reports/technicians/", period)
    assert report.status_code == 200, report.data
    assert [(line["name"], line["completed"], line["on_time"], line["sla_compliance"]) for line in report.data] == [
        ("ana", 1, 1, 100.0), ("tiago", 2, 1, 50.0),
    ]
    yesterday = {"first_day": today.isoformat(), "last_day": (today - datetime.timedelta(days=1)).isoformat()}
    backwards = dispatcher_client.get("/api/fieldops/reports/technicians/", yesterday)
    assert backwards.status_code == 400
    assert backwards.data["last_day"] == ["The period must end on or after its first day."]
    assert dispatcher_client.get("/api/fieldops/reports/technicians/", {"first_day": "x"}).status_code == 400
    assert technician_client.get("/api/fieldops/reports/technicians/", period).status_code == 403
