from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    FRONT_DESK = "front_desk", _("Front desk")
    BEAUTICIAN = "beautician", _("Beautician")
    AUDITOR = "auditor", _("Auditor (read-only)")
