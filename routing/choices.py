from django.db import models
from django.utils.translation import gettext_lazy as _


class Objective(models.TextChoices):
    TIME = "time", _("Travel time")
    DISTANCE = "distance", _("Distance")


class UnassignedReason(models.TextChoices):
    NO_SKILLED_TECHNICIAN = "no_skilled_technician", _("No technician has every required skill")
    WINDOW_UNREACHABLE = "window_unreachable", _(
        "No technician can reach it within its time window and shift"
    )
    NO_ROOM = "no_room", _("No room left in the technicians' routes")
    NO_TECHNICIANS = "no_technicians", _("No technicians were given")
    CLOSED = "closed", _("Completed or cancelled before the plan was solved")
    IN_PROGRESS_ELSEWHERE = "in_progress_elsewhere", _(
        "Already in progress with a technician outside this plan"
    )


class PlanStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SOLVING = "solving", _("Solving")
    SOLVED = "solved", _("Solved")
    FAILED = "failed", _("Failed")
    ACCEPTED = "accepted", _("Accepted")
    DISCARDED = "discarded", _("Discarded")


class ViolationKind(models.TextChoices):
    DUPLICATE = "duplicate", _("Order visited more than once")
    MISSING = "missing", _("Order neither routed nor unassigned")
    SKILL = "skill", _("Technician lacks a required skill")
    LOCK = "lock", _("Locked order moved to another technician")
    WINDOW = "window", _("Service starts outside the time window")
    SHIFT = "shift", _("Route outside the shift")
    MAX_WORKING = "max_working", _("Route longer than the maximum working time")
    CAPACITY = "capacity", _("Capacity exceeded")
    BREAK = "break", _("Break outside its window or during a service")
