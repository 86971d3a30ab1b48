"""Template helpers of the press room: media contacts with protected e-mail addresses and ContactPoint data."""

import base64
from itertools import groupby

from django import template

from .. import seo

register = template.Library()


@register.filter
def protected_email(address):
    """An address as the page holds it: encoded for ``static/js/site.js`` to make a mailto link from,
    and a fallback people read without JavaScript (``zhang [at] example [dot] com``) that is no
    address a harvester takes as it is. (Data attributes and text only: no inline script, for the CSP.)"""
    user, _, domain = address.partition("@")
    return {
        "encoded": base64.b64encode(address[::-1].encode()).decode(),
        "fallback": f"{user} [at] {domain.replace('.', ' [dot] ')}",
    }


@register.simple_tag(takes_context=True)
def contacts_json_ld(context, contacts):
    """schema.org Organizations with their media ContactPoints (telephone; the e-mail is left out:
    JSON-LD is plain text that any harvester reads)."""
    site = context["site"]
    blocks = []
    for unit, group in groupby(sorted(contacts, key=lambda c: (c.unit_id or 0, c.pk)), key=lambda c: c.unit):
        points = [
            {
                "@type": "ContactPoint",
                "contactType": "新闻联系",
                "name": contact.name,
                "description": contact.role,
                "telephone": contact.phone,
                "availableLanguage": "zh-Hans",
            }
            for contact in group
        ]
        points = [{key: value for key, value in point.items() if value} for point in points]
        blocks.append({"@type": "Organization", "name": unit.name if unit else site.site_name, "contactPoint": points})
    return seo.json_ld({"@context": "https://schema.org", "@graph": blocks}) if blocks else ""
