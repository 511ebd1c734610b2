"""Sign-in forms that say so when the peer and account are locked out (core.lockout)."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from .lockout import locked_for, lockout_message


class LockoutMessageMixin:
    """Replace "wrong password" by the lockout message while the caller is locked out."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            seconds = locked_for(self.request, self.cleaned_data.get("username"))
            if seconds:
                self.locked_for = seconds
                raise ValidationError(lockout_message(seconds), code="locked_out")
            raise


class LockoutAuthenticationForm(LockoutMessageMixin, AuthenticationForm):
    pass


class LockoutAdminAuthenticationForm(LockoutMessageMixin, AdminAuthenticationForm):
    pass
