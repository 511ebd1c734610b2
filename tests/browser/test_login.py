import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_page_is_portuguese_and_rejects_a_wrong_password(page, make_user, screenshot):
    make_user("despachante", "dispatcher")
    page.goto("/")
    assert page.url.endswith("/login/?next=/")
    assert page.locator("h1").inner_text() == "Entrar no Malha"
    page.fill("#id_username", "despachante")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    assert "Usuário ou senha incorretos" in page.locator("[role=alert]").inner_text()
    screenshot("login-error")


def test_a_dispatcher_logs_in_and_sees_the_overview(page, make_user, login, screenshot):
    make_user("despachante", "dispatcher", first_name="Ana", last_name="Souza")
    login("despachante")
    page.wait_for_url("**/")
    assert page.locator(".who").inner_text() == "Ana Souza"
    screenshot("overview-empty")
