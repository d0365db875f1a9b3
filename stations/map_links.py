"""Links that open a venue in the map apps used on Chinese phones; links only, nothing is loaded from outside.

Coordinate system: the stored latitude and longitude are WGS-84 (GPS), the system of a `geo:` URI
(RFC 5870) and of the browser's navigator.geolocation, which the finder's distance sort compares them
with. Chinese map apps draw in GCJ-02 (Amap, Tencent) or BD-09 (Baidu), about 500 m off WGS-84 in
Beijing, so each link says which system it passes: Amap's `coordinate=wgs84`, Baidu's
`coord_type=wgs84`; the apps convert. Coordinates copied from a Chinese map app are GCJ-02 or BD-09
and must be converted to WGS-84 before they are entered.
"""

import re
from urllib.parse import urlencode

# Who asks, as Baidu's URI API wants it ("webapp.<company>.<app>"); Amap takes any short name.
SOURCE = "webapp.union_portal.venues"
COORDINATE_SYSTEM = "wgs84"


def has_position(venue) -> bool:
    return venue.latitude is not None and venue.longitude is not None


def amap_url(venue) -> str:
    """Amap (高德地图): a marker at the venue, or a search for its address when it has no coordinates;
    `callnative=1` opens the app when it is installed, the web map otherwise."""
    if has_position(venue):
        params = {
            "position": f"{venue.longitude},{venue.latitude}",  # longitude first
            "name": venue.name,
            "coordinate": COORDINATE_SYSTEM,
            "callnative": 1,
            "src": SOURCE,
        }
        return f"https://uri.amap.com/marker?{urlencode(params)}"
    return f"https://uri.amap.com/search?{urlencode({'keyword': venue.address, 'callnative': 1, 'src': SOURCE})}"


def baidu_url(venue) -> str:
    """Baidu Maps (百度地图): a marker at the venue, or its address geocoded when it has no coordinates."""
    if has_position(venue):
        params = {
            "location": f"{venue.latitude},{venue.longitude}",  # latitude first
            "title": venue.name,
            "content": venue.address,
            "output": "html",
            "coord_type": COORDINATE_SYSTEM,
            "src": SOURCE,
        }
        return f"https://api.map.baidu.com/marker?{urlencode(params)}"
    return (
        f"https://api.map.baidu.com/geocoder?{urlencode({'address': venue.address, 'output': 'html', 'src': SOURCE})}"
    )


EXTENSION = re.compile(r"^(0\d{2,3})-?(\d{7,8})-(\d{1,6})$")


def tel_url(phone: str) -> str:
    """A `tel:` link of a validated phone (union_portal.validators.validate_phone): a landline's extension
    as RFC 3966's `;ext=`, which phones dial after the number."""
    phone = phone.strip()
    if match := EXTENSION.match(phone):
        return f"tel:{match[1]}-{match[2]};ext={match[3]}"
    return f"tel:{phone}"
