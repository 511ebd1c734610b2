"""API tokens (django-rest-knox): each sign-in issues a new token that expires after
REST_KNOX's TOKEN_TTL; a password change or a web logout revokes all of the user's
tokens, an API logout the one it was sent with."""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from knox.models import AuthToken


def issue_token(user):
    """A fresh token for `user`: (AuthToken, the key to hand back once)."""
    return AuthToken.objects.create(user=user)


def revoke_all(user):
    AuthToken.objects.filter(user=user).delete()


def live_tokens(user):
    """The user's tokens that still work, newest first."""
    return AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")


def _note_password_change(sender, instance, update_fields=None, **kwargs):
    """pre_save: remember whether the stored password hash is about to change."""
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._malha_password_changed = stored is not None and stored != instance.password


def _revoke_on_password_change(sender, instance, created, **kwargs):
    if getattr(instance, "_malha_password_changed", False):
        instance._malha_password_changed = False
        revoke_all(instance)


def revoke_on_logout(sender, request=None, user=None, **kwargs):
    """user_logged_out (a web logout): the user's API tokens end with the session."""
    if user is not None:
        revoke_all(user)


def connect():
    user_model = get_user_model()
    pre_save.connect(_note_password_change, sender=user_model, dispatch_uid="malha-token-pw")
    post_save.connect(_revoke_on_password_change, sender=user_model, dispatch_uid="malha-token-pw")
