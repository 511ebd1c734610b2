"""Helpers for files people open in spreadsheets."""


def spreadsheet_safe(value):
    """Text a spreadsheet will not run as a formula (CSV injection)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
