"""Venues by distance from a visitor (the public finder's `?near=<lat>,<lng>`), computed by the database.

The distance is the equirectangular approximation, in plain ORM arithmetic so that SQLite and PostgreSQL
both compute it (no PostGIS, no external service): within a district, off by far less than a street.
The visitor's position comes from the browser (navigator.geolocation, WGS-84), like the venues' stored
coordinates (see `stations.map_links`).
"""

import math

from django.db.models import F, FloatField, Value
from django.db.models.functions import Cast, Sqrt

# Kilometres per degree of latitude (mean Earth radius 6,371.0 km × π / 180).
KM_PER_DEGREE = 6371.0 * math.pi / 180
# The browser's position is rounded to this many decimals (about 100 m): enough to sort, no closer.
PLACES = 3


def near_parse(value) -> tuple[float, float] | None:
    """`"39.727,116.341"` as (latitude, longitude) rounded to PLACES decimals; None when it is not a position."""
    if not isinstance(value, str) or value.count(",") != 1 or len(value) > 40:
        return None
    try:
        latitude, longitude = (float(part) for part in value.split(","))
    except ValueError:
        return None
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return round(latitude, PLACES), round(longitude, PLACES)


def near_format(point: tuple[float, float]) -> str:
    """The query parameter of a position, as the finder's links carry it."""
    return f"{point[0]:.{PLACES}f},{point[1]:.{PLACES}f}"


def by_distance(venues, point: tuple[float, float]):
    """`venues` annotated with `distance_km` from `point` and ordered by it, nearest first;
    venues without coordinates have no distance and come last."""
    latitude, longitude = point
    # A degree of longitude shrinks with the cosine of the latitude: taken at the visitor's.
    shrink = math.cos(math.radians(latitude))
    north = Cast(F("latitude"), FloatField()) - Value(latitude)
    east = (Cast(F("longitude"), FloatField()) - Value(longitude)) * Value(shrink)
    distance = Sqrt(north * north + east * east, output_field=FloatField()) * Value(KM_PER_DEGREE)
    return venues.annotate(distance_km=distance).order_by(
        F("distance_km").asc(nulls_last=True), "town__order", "kind", "name", "pk"
    )
