import email
import re

import pytest


@pytest.mark.django_db
def test_password_reset_mail_goes_over_smtp_in_portuguese_and_its_link_works(
    client, make_user, smtp_server
):
    make_user("financeiro", "billing", email="financeiro@provedor.com.br")

    response = client.post("/password-reset/", {"email": "financeiro@provedor.com.br"})

    assert response.status_code == 302
    assert len(smtp_server.messages) == 1
    envelope = smtp_server.messages[0]
    assert envelope.rcpt_tos == ["financeiro@provedor.com.br"]
    message = email.message_from_bytes(envelope.original_content)
    assert "Redefinição de senha" in str(email.header.make_header(email.header.decode_header(message["Subject"])))
    body = message.get_payload(decode=True).decode()
    link = re.search(r"https?://[^/]+(/password-reset/[^\s]+/)", body).group(1)

    confirm = client.get(link, follow=True)
    assert confirm.status_code == 200
    assert confirm.context["validlink"] is True


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_sends_nothing_and_reveals_nothing(
    client, smtp_server
):
    response = client.post("/password-reset/", {"email": "ninguem@exemplo.com"})

    assert response.status_code == 302
    assert response.url == "/password-reset/sent/"
    assert smtp_server.messages == []
