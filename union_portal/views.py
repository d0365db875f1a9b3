from django.contrib.auth.mixins import AccessMixin
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from .access import can_edit_records, is_district_admin, is_staff_member, role_of
from .desk import desk_for


class StaffRequiredMixin(AccessMixin):
    """Staff pages: anonymous users go to the login page, signed-in users without a role get 403."""

    permission_denied_message = _("Your account has no role in the portal. Ask a district admin to give you one.")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not is_staff_member(request.user):
            self.raise_exception = True
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)


class EditorRequiredMixin(StaffRequiredMixin):
    """Pages that change records: leadership reads only."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and is_staff_member(request.user) and not can_edit_records(request.user):
            self.raise_exception = True
            self.permission_denied_message = _(
                "Leadership accounts read the records but do not change them. Ask the staff in charge to make the change."
            )
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)


class DistrictAdminRequiredMixin(StaffRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and is_staff_member(request.user) and not is_district_admin(request.user):
            self.raise_exception = True
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)


def home(request):
    """Staff start on their role's desk (union_portal/desk.py); the public on the venue finder."""
    if not is_staff_member(request.user):
        if request.user.is_authenticated:
            return render(request, "union_portal/no_role.html", status=403)
        return redirect("venues:finder")
    return render(request, "union_portal/home.html", {"desk": desk_for(request.user), "role": role_of(request.user)})
