"""The demo district (Beijing's Daxing) and one demo user per role.

Towns are data: a real deployment enters its own district and towns in the admin.
The spelling of 榆垓镇 follows the client's documents (DOMAIN.md).
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from .access import Role
from .models import District, StaffProfile, Town

DISTRICT = ("北京市大兴区", "大兴")

TOWNS = [
    ("兴丰街道", Town.Kind.STREET),
    ("林校路街道", Town.Kind.STREET),
    ("清源街道", Town.Kind.STREET),
    ("观音寺街道", Town.Kind.STREET),
    ("天宫院街道", Town.Kind.STREET),
    ("高米店街道", Town.Kind.STREET),
    ("黄村镇", Town.Kind.TOWN),
    ("西红门镇", Town.Kind.TOWN),
    ("旧宫镇", Town.Kind.TOWN),
    ("亦庄镇", Town.Kind.TOWN),
    ("瀛海镇", Town.Kind.TOWN),
    ("青云店镇", Town.Kind.TOWN),
    ("采育镇", Town.Kind.TOWN),
    ("长子营镇", Town.Kind.TOWN),
    ("安定镇", Town.Kind.TOWN),
    ("礼贤镇", Town.Kind.TOWN),
    ("榆垓镇", Town.Kind.TOWN),
    ("庞各庄镇", Town.Kind.TOWN),
    ("北臧村镇", Town.Kind.TOWN),
    ("魏善庄镇", Town.Kind.TOWN),
    ("新媒体产业基地", Town.Kind.BASE),
    ("生物医药产业基地", Town.Kind.BASE),
]

# username, password, role, town name, display name
DEMO_USERS = [
    ("admin", "demo-admin-2018", Role.DISTRICT_ADMIN, None, "区总工会管理员"),
    ("staff", "demo-staff-2018", Role.DISTRICT_STAFF, None, "区调解中心"),
    ("yinghai", "demo-town-2018", Role.TOWN_STAFF, "瀛海镇", "瀛海镇工会"),
    ("yizhuang", "demo-town-2018", Role.TOWN_STAFF, "亦庄镇", "亦庄镇工会"),
    ("leader", "demo-leader-2018", Role.LEADERSHIP, None, "区总工会领导"),
]


@transaction.atomic
def load_district() -> District:
    """The district and its 22 towns; running it again changes nothing."""
    district, _ = District.objects.get_or_create(name=DISTRICT[0], defaults={"short_name": DISTRICT[1]})
    for order, (name, kind) in enumerate(TOWNS, start=1):
        Town.objects.get_or_create(district=district, name=name, defaults={"kind": kind, "order": order})
    return district


@transaction.atomic
def load_users(district: District) -> list[tuple[str, str, str]]:
    """One demo login per role; returns (username, password, role label) for printing."""
    User = get_user_model()
    logins = []
    for username, password, role, town_name, display in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": display})
        if created:
            user.set_password(password)
            user.is_staff = role == Role.DISTRICT_ADMIN  # the admin site is for district admins only
            user.is_superuser = role == Role.DISTRICT_ADMIN
            user.save()
        town = Town.objects.get(district=district, name=town_name) if town_name else None
        StaffProfile.objects.update_or_create(user=user, defaults={"role": role, "town": town})
        logins.append((username, password, str(role.label)))
    return logins
