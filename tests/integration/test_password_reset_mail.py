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


@pytest.mark.django_db
def test_password_reset_is_limited_per_address_and_per_peer_without_revealing_accounts(
    client, make_user, smtp_server, settings
):
    """The audit sent 5 requests and got 5 e-mails; past the limit the 6th is refused with a
    429 whether or not the address has an account, and a new peer address does not help
    for the same e-mail, nor a new e-mail for the same peer."""
    make_user("financeiro", "billing", email="financeiro@provedor.com.br")
    limit = settings.MALHA_PASSWORD_RESET_LIMIT

    def reset(address, peer="203.0.113.50"):
        return client.post("/password-reset/", {"email": address}, REMOTE_ADDR=peer)

    assert [reset("financeiro@provedor.com.br").status_code for _ in range(limit)] == [302] * limit
    refused = reset("financeiro@provedor.com.br")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Muitos pedidos" in refused.content.decode()
    assert reset("FINANCEIRO@provedor.com.br", peer="203.0.113.51").status_code == 429
    assert reset("ninguem@exemplo.com").status_code == 429
    assert len(smtp_server.messages) == limit

    for n in range(limit):
        assert reset(f"ninguem{n}@exemplo.com", peer="203.0.113.60").status_code == 302
    assert reset("outro@exemplo.com", peer="203.0.113.60").status_code == 429
