"""Who needs a second factor, and the devices that give it (django-otp).

Each staff user has at most one authenticator app (a TOTP device) and one set
of recovery codes (a static device with RECOVERY_CODE_COUNT single-use codes).
Everyone who may publish (Publishers, superusers) must use one when
OTP_REQUIRED is on; Editors may. Once a user has an app, their logins always
ask for a code.
"""

from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from faq.roles import PUBLISH_PERMISSION

APP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def requires_second_factor(user):
    return settings.OTP_REQUIRED and user.is_active and user.has_perm(PUBLISH_PERMISSION)


def must_verify(user):
    """Whether this user's session must have given a code to use the admin."""
    return requires_second_factor(user) or user_has_device(user)


def needs_setup(user):
    """A user who must use a second factor and has none yet."""
    return requires_second_factor(user) and not user_has_device(user)


def pending_app(user):
    """The authenticator app being set up: the same secret until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)


def normalise(code):
    return "".join((code or "").split()).replace("-", "").lower()


@transaction.atomic
def confirm_app(device, code):
    """Activate `device` if `code` is its current code; it replaces any older app."""
    if not device.verify_token(normalise(code)):
        return False
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


@transaction.atomic
def new_recovery_codes(user):
    """RECOVERY_CODE_COUNT fresh single-use codes; any earlier ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


class CodeRefused(Exception):
    """The code was wrong, or the device is throttled after wrong codes."""


def verify_code(user, code):
    """The confirmed device `code` belongs to: six digits are the app's code,
    anything else a recovery code (used up by this). Raises CodeRefused."""
    code = normalise(code)
    kind = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    matched, throttled = None, False
    # Outside the loop's transaction, a refusal keeps the device's failure count.
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if not isinstance(device, kind):
                continue
            if not device.verify_is_allowed()[0]:
                throttled = True
            elif device.verify_token(code):
                matched = device
                break
    if matched is None:
        raise CodeRefused(throttled)
    return matched


def remove_all(user):
    """Every device of the user (the operator's reset); returns how many."""
    count = 0
    for model in (TOTPDevice, StaticDevice):
        deleted, _ = model.objects.filter(user=user).delete()
        count += deleted
    return count


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def has_app(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()
