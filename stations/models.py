"""Union venues: 职工之家, 暖心驿站, 心灵驿站, 母婴关爱室, 职工活动中心 (DOMAIN.md §3)."""

import datetime
import io
from itertools import pairwise
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image
from simple_history.models import HistoricalRecords

from union_portal import uploads
from union_portal.access import TownScopedQuerySet
from union_portal.concurrency import VersionedModel
from union_portal.models import Enterprise, Town
from union_portal.numbering import number_formatted, numbers_reserve
from union_portal.validators import validate_phone


class VenueKind(models.TextChoices):
    WORKERS_HOME = "workers_home", _("workers' home")
    WARM_STATION = "warm_station", _("warm-heart station")
    WELLBEING_STATION = "wellbeing_station", _("wellbeing station")
    MOTHER_BABY_ROOM = "mother_baby_room", _("mother-and-baby room")
    ACTIVITY_CENTRE = "activity_centre", _("activity centre")


# Prefixes of venue codes, one per kind: WH-00012 is the twelfth workers' home.
CODE_PREFIX = {
    VenueKind.WORKERS_HOME: "WH",
    VenueKind.WARM_STATION: "WS",
    VenueKind.WELLBEING_STATION: "PS",
    VenueKind.MOTHER_BABY_ROOM: "MB",
    VenueKind.ACTIVITY_CENTRE: "AC",
}


class HostType(models.TextChoices):
    ENTERPRISE = "enterprise", _("enterprise")
    COMMUNITY = "community", _("community")
    UNION_STATION = "union_station", _("union service station")
    SCHOOL = "school", _("school")
    SHOP = "shop", _("shop or restaurant")
    OTHER = "other", _("other")


class VenueStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    BUILT = "built", _("built")
    ACCEPTED = "accepted", _("accepted")
    CLOSED = "closed", _("closed")


# A venue in service: listed by the public finder, its page and photos open to everyone.
PUBLIC_STATUSES = (VenueStatus.BUILT, VenueStatus.ACCEPTED)


class AcceptanceResult(models.TextChoices):
    PASSED = "passed", _("passed")
    FAILED = "failed", _("failed")


class Amenity(models.Model):
    """Equipment or a service a venue offers (bed, microwave, charging...). Reference data."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("amenity")
        verbose_name_plural = _("amenities")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


# What a mother-and-baby room needs before it can pass acceptance (DOMAIN.md §3).
MOTHER_BABY_REQUIRED_AMENITIES = ("table", "socket", "fridge")
MOTHER_BABY_MIN_SEATS = 2


class VenueQuerySet(TownScopedQuerySet):
    def public(self):
        """What the public finder lists: venues in service (built or accepted)."""
        return self.filter(status__in=PUBLIC_STATUSES)

    def open_at(self, moment: datetime.datetime):
        """Venues open at `moment` (Beijing time): 24-hour ones, and those whose hours include it."""
        local = timezone.localtime(moment).time().replace(microsecond=0)
        same_day = Q(opens_at__lte=local, closes_at__gt=local) & Q(closes_at__gt=F("opens_at"))
        overnight = Q(closes_at__lte=F("opens_at")) & (Q(opens_at__lte=local) | Q(closes_at__gt=local))
        return self.filter(Q(is_24h=True) | same_day | overnight)

    def in_service_at(self, day: datetime.date):
        """Built on or before `day` and not closed by then."""
        return self.filter(built_on__lte=day).exclude(closed_on__lte=day)


def staff_list_order() -> tuple[str, ...]:
    """The staff venue list's order: by the town's order, then kind, name and key.

    When the towns' keys follow their order (each town a higher order than the one before it, none equal: so the demo
    district and any district whose towns were entered in their order), ordering by the town's key gives the same
    list, and `stations_venue_list_order` serves it: a page is an index scan, not a sort of every venue joined to its
    town (20,000 venues: 0.1 ms instead of 16). Otherwise (towns reordered since) the list joins the towns and sorts.
    One statement reads the towns' order (22 in the demo) each time, so a reordering shows at once."""
    towns = list(Town.objects.order_by("order", "pk").values_list("pk", "order"))
    follows = all(key < next_key and order < next_order for (key, order), (next_key, next_order) in pairwise(towns))
    return ("town_id" if follows else "town__order", "kind", "name", "pk")


class Venue(VersionedModel):
    code = models.CharField(_("venue code"), max_length=12, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=VenueKind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    town = models.ForeignKey(Town, verbose_name=_("town"), on_delete=models.PROTECT, related_name="venues")
    host_type = models.CharField(_("host type"), max_length=20, choices=HostType.choices, default=HostType.ENTERPRISE)
    host_name = models.CharField(_("host"), max_length=100, blank=True)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("host enterprise"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="venues",
    )
    address = models.CharField(_("address"), max_length=200)
    latitude = models.DecimalField(
        _("latitude"),
        help_text=_("Decimal degrees in WGS-84, as a phone's GPS gives them (maps of Chinese apps use shifted ones)."),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        help_text=_("Decimal degrees in WGS-84, as a phone's GPS gives them (maps of Chinese apps use shifted ones)."),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    opening_hours = models.CharField(
        _("opening hours"),
        max_length=100,
        blank=True,
        help_text=_("As shown to the public, e.g. 周一至周五 8:00-18:00."),
    )
    is_24h = models.BooleanField(_("open 24 hours"), default=False)
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    amenities = models.ManyToManyField(Amenity, verbose_name=_("amenities"), blank=True, related_name="venues")
    seats = models.PositiveSmallIntegerField(_("seats"), default=0)
    is_mobile = models.BooleanField(
        _("mobile station"), default=False, help_text=_("A container that moves (流动驿站).")
    )
    contact_name = models.CharField(_("contact person"), max_length=30, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True, validators=[validate_phone])
    # The contact person's phone may be a private person's mobile: only this one is shown to the public.
    public_phone = models.CharField(
        _("public contact phone"),
        max_length=20,
        blank=True,
        validators=[validate_phone],
        help_text=_("Shown to the public on the venue's page: the venue's own landline or duty phone, not a person's."),
    )
    description = models.TextField(_("description"), blank=True)

    status = models.CharField(
        _("status"), max_length=10, choices=VenueStatus.choices, default=VenueStatus.PLANNED, editable=False
    )
    planned_on = models.DateField(_("planned on"), null=True, blank=True)
    built_on = models.DateField(_("built on"), null=True, blank=True, db_index=True)
    accepted_on = models.DateField(_("acceptance date"), null=True, blank=True)
    acceptance_result = models.CharField(
        _("acceptance result"), max_length=10, choices=AcceptanceResult.choices, blank=True
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_reason = models.CharField(_("reason for closing"), max_length=200, blank=True)

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    history = HistoricalRecords(m2m_fields=[amenities])

    objects = VenueQuerySet.as_manager()

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["town__order", "kind", "name"]
        permissions = [("import_venue", _("Can import venues")), ("export_venue", _("Can export venues"))]
        indexes = [
            models.Index(fields=["town", "kind", "status"], name="stations_venue_town_kind"),
            models.Index(fields=["town", "kind", "name", "id"], name="stations_venue_list_order"),  # staff_list_order
            # The start page's overdue steps (stations/desk.py): the few venues each holds, out of 20,000 at city scale.
            models.Index(
                fields=["built_on"],
                condition=Q(kind="mother_baby_room", accepted_on__isnull=True, closed_on__isnull=True),
                name="stations_venue_accept_due",
            ),
            models.Index(
                fields=["accepted_on"],
                condition=Q(acceptance_result="failed", closed_on__isnull=True),
                name="stations_venue_close_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(built_on__isnull=True) | Q(planned_on__isnull=True) | Q(built_on__gte=F("planned_on")),
                name="stations_venue_built_after_planned",
            ),
            models.CheckConstraint(
                condition=Q(accepted_on__isnull=True) | (Q(built_on__isnull=False) & Q(accepted_on__gte=F("built_on"))),
                name="stations_venue_accepted_after_built",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(built_on__isnull=True) | Q(closed_on__gte=F("built_on")),
                name="stations_venue_closed_after_built",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(accepted_on__isnull=True) | Q(closed_on__gte=F("accepted_on")),
                name="stations_venue_closed_after_accepted",
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.get_kind_display()}）"

    def get_absolute_url(self):
        return reverse("stations:venue_detail", args=[self.pk])

    def get_public_url(self):
        return reverse("venues:venue", args=[self.code])

    def derived_status(self) -> str:
        """The lifecycle stage the dates say the venue is in."""
        if self.closed_on:
            return VenueStatus.CLOSED
        if self.accepted_on and self.acceptance_result == AcceptanceResult.PASSED:
            return VenueStatus.ACCEPTED
        if self.built_on:
            return VenueStatus.BUILT
        return VenueStatus.PLANNED

    def clean(self):
        errors = {}
        self._check_dates(errors)
        if not self.is_24h and bool(self.opens_at) != bool(self.closes_at):
            errors["closes_at"] = _("Give both the opening and the closing time, or neither.")
        if self.accepted_on and not self.acceptance_result:
            errors["acceptance_result"] = _("Record the result of the acceptance.")
        if self.acceptance_result and not self.accepted_on:
            errors["accepted_on"] = _("Record the date of the acceptance.")
        if self.closed_on and not self.closed_reason:
            errors["closed_reason"] = _("Say why the venue was closed.")
        if errors:
            raise ValidationError(errors)
        self.status = self.derived_status()

    def _check_dates(self, errors):
        if self.planned_on and self.built_on and self.built_on < self.planned_on:
            errors["built_on"] = _("The venue cannot be built before it was planned.")
        if self.accepted_on and not self.built_on:
            errors["accepted_on"] = _("A venue can only be accepted after it is built: enter the build date first.")
        elif self.accepted_on and self.accepted_on < self.built_on:
            errors["accepted_on"] = _("The acceptance date cannot be before the build date.")
        if self.closed_on and self.built_on and self.closed_on < self.built_on:
            errors["closed_on"] = _("The venue cannot close before it was built.")
        elif self.closed_on and self.accepted_on and self.closed_on < self.accepted_on:
            errors["closed_on"] = _("The venue cannot close before it was accepted.")

    def acceptance_shortfalls(self, amenity_codes=None) -> list[str]:
        """What a mother-and-baby room still lacks to pass acceptance (empty when it may pass)."""
        if self.kind != VenueKind.MOTHER_BABY_ROOM:
            return []
        codes = set(amenity_codes if amenity_codes is not None else self.amenities.values_list("code", flat=True))
        missing = [str(_("a table")), str(_("a socket")), str(_("a fridge"))]
        shortfalls = [
            label for code, label in zip(MOTHER_BABY_REQUIRED_AMENITIES, missing, strict=True) if code not in codes
        ]
        if self.seats < MOTHER_BABY_MIN_SEATS:
            shortfalls.append(str(_("at least two chairs")))
        if not self.contact_name:
            shortfalls.append(str(_("a named manager")))
        return shortfalls

    def save(self, *args, **kwargs):
        self.status = self.derived_status()
        if self.code:
            return super().save(*args, **kwargs)
        # One transaction: a code whose insert fails goes back to the sequence, not into a gap,
        # and the instance forgets it, so a second try takes a fresh one.
        try:
            with transaction.atomic():
                self.code = next_venue_codes(self.kind, 1)[0]
                return super().save(*args, **kwargs)
        except Exception:
            self.code = ""
            raise

    def map_url(self):
        """A link that opens the address in the phone's map app (geo: URI, no external service)."""
        from urllib.parse import quote

        if self.latitude is not None and self.longitude is not None:
            return f"geo:{self.latitude},{self.longitude}?q={self.latitude},{self.longitude}({quote(self.name)})"
        return f"geo:0,0?q={quote(self.address)}"


def next_venue_codes(kind: str, count: int) -> list[str]:
    """Reserve the next `count` codes for venues of `kind` (WS-00001, WS-00002...), never handed out twice.

    The sequence "venue:<prefix>" is locked until the caller's transaction ends. It also goes on
    after the highest code in the table, so a venue saved with its code given is never collided with.
    """
    prefix = CODE_PREFIX[VenueKind(kind)]
    highest = (
        Venue._base_manager.filter(code__startswith=f"{prefix}-")
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    numbers = numbers_reserve(key=f"venue:{prefix}", count=count, after=int(highest.split("-")[1]) if highest else 0)
    return [number_formatted(prefix=f"{prefix}-", number=n, digits=5) for n in numbers]


class VenueChildQuerySet(TownScopedQuerySet):
    town_lookup = "venue__town"


PHOTO_FORMATS = tuple(file_type.pillow_format for file_type in uploads.PHOTO.types)
THUMBNAIL_SIZE = (480, 360)


def validate_photo(upload) -> None:
    """A new photo passes the shared upload check (type by content and name, size, pixels); a stored one passed it."""
    if getattr(upload, "_committed", False):
        return
    uploads.upload_check(upload, rule=uploads.PHOTO)


def photo_path(instance, filename):
    """A random name with the extension of the content: an upload's own name may carry a person's name."""
    return uploads.random_path("venues", uploads.type_of_file(instance.image))


class VenuePhoto(models.Model):
    venue = models.ForeignKey(Venue, verbose_name=_("venue"), on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=photo_path, validators=[validate_photo])
    thumbnail = models.ImageField(_("thumbnail"), upload_to="venues/thumbs/%Y/%m/", blank=True, editable=False)
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)
    history = HistoricalRecords()

    objects = VenueChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["venue", "order", "pk"]

    def __str__(self):
        return self.caption or PurePath(self.image.name).name

    def save(self, *args, **kwargs):
        if self.image and not self.thumbnail:
            self.thumbnail.save(self._thumbnail_name(), self._make_thumbnail(), save=False)
        super().save(*args, **kwargs)

    def _thumbnail_name(self):
        return uploads.random_file_name(uploads.JPEG)  # never derived from the photo's or the uploader's name

    def _make_thumbnail(self) -> ContentFile:
        self.image.seek(0)
        with Image.open(self.image, formats=PHOTO_FORMATS) as image:
            # thumbnail() decodes a JPEG at a reduced scale; a palette image resizes badly, so it is
            # converted first, other modes only once shrunk.
            if image.mode in ("1", "P"):
                image = image.convert("RGB")
            image.thumbnail(THUMBNAIL_SIZE)
            image = image.convert("RGB")
            out = io.BytesIO()
            image.save(out, "JPEG", quality=82)
        self.image.seek(0)
        return ContentFile(out.getvalue())


class FundingKind(models.TextChoices):
    SUBSIDY = "subsidy", _("subsidy")
    EQUIPMENT = "equipment", _("equipment purchase")
    PRIZE = "prize", _("prize money")


class FundingSource(models.TextChoices):
    DISTRICT = "district", _("district federation")
    CITY = "city", _("city federation")
    NATIONAL = "national", _("national federation")
    OTHER = "other", _("other")


class VenueFunding(models.Model):
    """Money for a venue in a year: a subsidy, equipment bought for it, or prize money it won."""

    venue = models.ForeignKey(Venue, verbose_name=_("venue"), on_delete=models.CASCADE, related_name="fundings")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    kind = models.CharField(_("kind"), max_length=10, choices=FundingKind.choices)
    source = models.CharField(_("source"), max_length=10, choices=FundingSource.choices, default=FundingSource.DISTRICT)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = VenueChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("funding")
        verbose_name_plural = _("funding")
        ordering = ["venue", "-year", "kind"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="stations_venuefunding_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.year} {self.get_kind_display()} {self.amount}"


class HonourLevel(models.TextChoices):
    DISTRICT = "district", _("district level")
    CITY = "city", _("city level")
    NATIONAL = "national", _("national level")


class HonourStatus(models.TextChoices):
    APPLIED = "applied", _("applied for")
    AWARDED = "awarded", _("awarded")
    DECLINED = "declined", _("not awarded")


class VenueHonour(models.Model):
    """An honour a venue applied for or won (e.g. 市级示范职工之家)."""

    venue = models.ForeignKey(Venue, verbose_name=_("venue"), on_delete=models.CASCADE, related_name="honours")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    title = models.CharField(_("title"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=HonourLevel.choices)
    status = models.CharField(_("status"), max_length=10, choices=HonourStatus.choices, default=HonourStatus.APPLIED)
    history = HistoricalRecords()

    objects = VenueChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("honour")
        verbose_name_plural = _("honours")
        ordering = ["venue", "-year"]

    def __str__(self):
        return f"{self.year} {self.title}（{self.get_status_display()}）"


class ActivityKind(models.TextChoices):
    STRESS_RELIEF = "stress_relief", _("group stress relief")
    COUNSELLING = "counselling", _("counselling")
    TRAINING = "training", _("training")
    CULTURE = "culture", _("cultural or sports activity")
    OTHER = "other", _("other")


class VenueActivity(models.Model):
    """Something held at a venue: one or more sessions, attended by a number of person-times."""

    venue = models.ForeignKey(Venue, verbose_name=_("venue"), on_delete=models.CASCADE, related_name="activities")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=100, blank=True)
    sessions = models.PositiveIntegerField(_("sessions"), default=1, validators=[MinValueValidator(1)])
    person_times = models.PositiveIntegerField(_("person-times"), default=0)
    history = HistoricalRecords()

    objects = VenueChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["venue", "-date"]
        # The first and last activity (figures.years_with_records) from the index's two ends, not a scan of all.
        indexes = [models.Index(fields=["date"], name="stations_activity_date")]
        constraints = [
            models.CheckConstraint(condition=Q(sessions__gte=1), name="stations_venueactivity_sessions_positive"),
        ]

    def __str__(self):
        return f"{self.date} {self.title or self.get_kind_display()}"
