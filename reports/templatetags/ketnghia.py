from django import template

register = template.Library()


@register.filter
def vnd(value):
    """1234567 → "1.234.567 đ" (Vietnamese grouping, whatever the interface language)."""
    if value in (None, ""):
        return ""
    return f"{int(value):,} đ".replace(",", ".")


@register.filter
def iso_date(value):
    """ "2024-03-10" (as frozen in a submitted version) → "10/03/2024"."""
    try:
        year, month, day = str(value).split("-")
        return f"{day}/{month}/{year}"
    except ValueError:
        return value


@register.filter
def vnum(value, places=2):
    """12.5 → "12,5"; 1234 → "1.234" (Vietnamese separators, trailing zeros dropped)."""
    if value in (None, ""):
        return ""
    try:
        number = round(float(value), int(places))
    except (TypeError, ValueError):
        return value
    whole, _, fraction = f"{number:,.{int(places)}f}".partition(".")
    whole = whole.replace(",", ".")
    fraction = fraction.rstrip("0")
    return f"{whole},{fraction}" if fraction else whole


@register.filter
def legal_date(value):
    """A date as documents write it: "ngày 05 tháng 3 năm 2024" (see reports.legal)."""
    from reports.legal import legal_date as written

    try:
        return written(value)
    except ValueError:
        return value


@register.filter
def item(mapping, key):
    """``mapping[key]``, or "" when absent (a section of a document's figures by name)."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
