"""A CAPTCHA verifier for the tests (settings.MALHA_CAPTCHA_VERIFIER): "human" passes."""


def verify(token, ip):
    return token == "human"
