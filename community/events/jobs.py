"""The reminders: ``event.reminder`` jobs due 1 day, 1 hour and 15 minutes before the start,
scheduled when the event is published, moved when it moves (the same keys), dropped when it is
cancelled (``community.events.service``). Each is told once: the intent is written under the
job's run marker (``JobRun.once``), so a run repeated after a crash adds nothing."""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from community.events import queries, service
from community.events.access import utc
from community.i18n import N_
from community.jobs.registry import register
from community.jobs.runner import JobRun
from community.notifications import intents


async def remind(run: JobRun) -> None:
    event_id = ObjectId(run.payload["event_id"])
    which = run.payload["which"]
    event = await queries.event(run.db, event_id)
    if event is None or event["status"] != "published" or utc(event["start_at"]) <= run.now:
        return

    async def tell(session: Any) -> None:
        await intents.record(run.db, session, kind="event_reminder", to=service.going_set(event_id),
                             subject=("event", event_id), params={"event_id": str(event_id), "title": event["title"],
                                                                  "which": which},
                             actor_id=None, now=run.now)

    await run.once(tell)


register(service.REMINDER_JOB, remind, label=N_("Remind people of an event they are going to"))
