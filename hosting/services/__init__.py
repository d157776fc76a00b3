"""Everything a facilitator does that changes state, one transaction each, in a module per
responsibility: starting a circle, its series of meetups, its members, pausing and
archiving, editing it, rotating hosts and cover for them, its meeting outline, messages to
the people going, and reports.

Hosting changes circles, schedules, meetups and memberships together, so its services
compose the lower rooms' services (circles.services, meetups.services) rather than writing
their rows around them. A broken rule raises a RuleError with a message written for the
person who asked: HostingError for hosting's own rules, or the lower service's refusal,
passed on unchanged. Each logs what it did in ActionLog (who, what, when). Who may ask is
the policy's to say (the rooms' rules.py), checked once by the caller: a view at its
boundary, the admin for moderators; services assume it was. Callers import from this
package; the modules behind it are free to move.
"""

from circles.models import WEEKS_AHEAD
from hosting.services._common import HostingError
from hosting.services.cover import (
    accept_cover,
    ask_for_cover,
    settle_uncovered,
    tell_facilitators_of_uncovered,
    withdraw_cover_request,
)
from hosting.services.dormancy import (
    STILL_MEETING_DAYS,
    archive_circle,
    circles_gone_quiet,
    confirm_still_meeting,
    mark_dormant_circles,
    pause_circle,
    resume_circle,
    unconfirmed_since,
)
from hosting.services.edit import (
    EDITABLE_CIRCLE_FIELDS,
    CircleEdit,
    circle_venue,
    default_seats,
    edit_circle,
)
from hosting.services.membership import (
    accept_co_facilitation,
    approve_request,
    decline_co_facilitation,
    decline_request,
    hand_over,
    invite_co_facilitator,
    leave_circle,
    new_invite_link,
    remove_member,
    step_down,
    unblock_member,
    withdraw_co_facilitator_invitation,
)
from hosting.services.messages import MESSAGE_LIMITS, MESSAGE_WINDOW, message_people_going
from hosting.services.outline import default_outline, outline_of, save_outline
from hosting.services.reports import (
    ABOUT_DESCRIPTION_MAX,
    DETAILS_MAX,
    NOTE_MAX,
    REASON_MAX,
    REPORTS_PER_DAY,
    hide_circle,
    report_concern,
    reportable_people,
    reroute_open_reports,
    resolve_report,
)
from hosting.services.rotation import (
    confirm_host,
    decline_host,
    offer_to_host,
    withdraw_host_offer,
)
from hosting.services.series import (
    SERIES_CANCEL_MESSAGE,
    SeriesChange,
    cancel_meetup,
    change_meetup,
    change_series,
    mark_attendance,
)
from hosting.services.start import (
    FIRST_MEETUP_WITHIN,
    SLUG_MAX_LENGTH,
    ScheduleError,
    check_schedule,
    host_circle,
    unique_slug,
)

__all__ = [
    "ABOUT_DESCRIPTION_MAX",
    "DETAILS_MAX",
    "EDITABLE_CIRCLE_FIELDS",
    "FIRST_MEETUP_WITHIN",
    "MESSAGE_LIMITS",
    "MESSAGE_WINDOW",
    "NOTE_MAX",
    "REASON_MAX",
    "REPORTS_PER_DAY",
    "SERIES_CANCEL_MESSAGE",
    "SLUG_MAX_LENGTH",
    "STILL_MEETING_DAYS",
    "WEEKS_AHEAD",
    "CircleEdit",
    "HostingError",
    "ScheduleError",
    "SeriesChange",
    "accept_co_facilitation",
    "accept_cover",
    "approve_request",
    "archive_circle",
    "ask_for_cover",
    "cancel_meetup",
    "change_meetup",
    "change_series",
    "check_schedule",
    "circle_venue",
    "circles_gone_quiet",
    "confirm_host",
    "confirm_still_meeting",
    "decline_co_facilitation",
    "decline_host",
    "decline_request",
    "default_outline",
    "default_seats",
    "edit_circle",
    "hand_over",
    "hide_circle",
    "host_circle",
    "invite_co_facilitator",
    "leave_circle",
    "mark_attendance",
    "mark_dormant_circles",
    "message_people_going",
    "new_invite_link",
    "offer_to_host",
    "outline_of",
    "pause_circle",
    "remove_member",
    "report_concern",
    "reportable_people",
    "reroute_open_reports",
    "resolve_report",
    "resume_circle",
    "save_outline",
    "settle_uncovered",
    "step_down",
    "tell_facilitators_of_uncovered",
    "unblock_member",
    "unconfirmed_since",
    "unique_slug",
    "withdraw_co_facilitator_invitation",
    "withdraw_cover_request",
    "withdraw_host_offer",
]
