"""PIX BR Code: the EMV "copia e cola" payload of the Banco Central's Manual de Padrões."""

import unicodedata


def crc16_ccitt(text):
    """CRC-16/CCITT-FALSE (poly 0x1021, start 0xFFFF) as four upper-case hex digits."""
    crc = 0xFFFF
    for byte in text.encode("utf-8"):
        crc ^= byte << 8
        for _bit in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def emv(tag, value):
    if len(value) > 99:
        raise ValueError(f"EMV field {tag} is longer than 99 characters.")
    return f"{tag}{len(value):02d}{value}"


def plain_ascii(text, limit):
    """Names and cities go without accents, as the manual restricts them to basic characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return ascii_text[:limit]


def br_code(*, key, merchant_name, merchant_city, amount=None, txid="***"):
    """A static BR Code for `key`; with `amount` (Decimal) and a txid the payer's app fills them in."""
    account = emv("00", "br.gov.bcb.pix") + emv("01", key)
    payload = (
        emv("00", "01")
        + emv("26", account)
        + emv("52", "0000")
        + emv("53", "986")
        + (emv("54", f"{amount:.2f}") if amount is not None else "")
        + emv("58", "BR")
        + emv("59", plain_ascii(merchant_name, 25))
        + emv("60", plain_ascii(merchant_city, 15))
        + emv("62", emv("05", txid))
        + "6304"
    )
    return payload + crc16_ccitt(payload)
